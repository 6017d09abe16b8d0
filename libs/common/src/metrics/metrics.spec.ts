import { describe, expect, it } from '@jest/globals';
import { metrics, metricsAuthorized, metricsRegistry, observeEventDelivery } from './metrics.js';

describe('metrics registry', () => {
  it('renders the Praxis metrics in Prometheus text format with their labels', async () => {
    metrics.runsEnded.inc({ protocol: 'demo', status: 'failed' });
    observeEventDelivery(new Date(Date.now() - 250));
    const text = await metricsRegistry.metrics();
    expect(metricsRegistry.contentType).toMatch(/^text\/plain/);
    expect(text).toContain('# TYPE praxis_http_requests_total counter');
    expect(text).toContain('praxis_runs_ended_total{protocol="demo",status="failed"} 1');
    expect(text).toContain('praxis_event_delivery_lag_seconds_count 1');
    expect(text).toContain('# TYPE praxis_redis_used_memory_bytes gauge');
  });

  it('opens /metrics only to the configured bearer token', () => {
    const token = 'a-metrics-token-of-length';
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsAuthorized(token, token)).toBe(false);
    expect(metricsAuthorized(undefined, token)).toBe(false);
    // nothing configured: closed, whatever is presented
    expect(metricsAuthorized('Bearer anything', undefined)).toBe(false);
  });
});
