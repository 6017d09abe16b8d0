import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@praxis/config';
import { createTransport } from 'nodemailer';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  /** Names the outbox file and is sent as a header, to trace a message back to its delivery. */
  deliveryId: string;
}

/**
 * The one way out for email: SMTP when SMTP_URL is set, otherwise (the embedded default) each
 * message is written as an `.eml` file to `<data dir>/outbox/`. A failure throws; retrying is the
 * caller's business.
 */
@Injectable()
export class Mailer {
  readonly kind: 'smtp' | 'outbox';
  readonly outboxDir: string;
  private readonly smtp;
  private readonly stream;

  constructor(private readonly config: AppConfig) {
    this.kind = config.mail.smtpUrl ? 'smtp' : 'outbox';
    this.outboxDir = join(config.dataDir, 'outbox');
    // One connection per message (no pool): nothing to close at shutdown. Bounded waits: a server
    // that accepts the connection and then says nothing must not hold a delivery (and its lease)
    // for nodemailer's default two minutes.
    this.smtp = config.mail.smtpUrl
      ? createTransport({ url: config.mail.smtpUrl, connectionTimeout: 15000, greetingTimeout: 15000, socketTimeout: 30000 })
      : undefined;
    this.stream = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** Sends one message; answers its id (the SMTP Message-ID, or the outbox file). */
  async send(m: MailMessage): Promise<string> {
    const message = { from: this.config.mail.from, to: m.to, subject: m.subject, text: m.text, headers: { 'X-Praxis-Delivery': m.deliveryId } };
    if (this.smtp) {
      const info = await this.smtp.sendMail(message);
      return info.messageId;
    }
    const info = await this.stream.sendMail(message);
    mkdirSync(this.outboxDir, { recursive: true });
    const file = join(this.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.deliveryId}.eml`);
    // Written aside and renamed: a reader of the folder never sees half a message.
    writeFileSync(`${file}.tmp`, info.message as Buffer);
    renameSync(`${file}.tmp`, file);
    return file;
  }
}
