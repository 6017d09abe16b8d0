// Re-exports for tests, so e2e suites import the catalogs and roles from one place.
export { DECK_TYPES, LABWARE_CATALOG, MACHINE_KINDS } from '@praxis/hardware';
export { Role } from '@praxis/auth';
