/** The licensing table's key layout (pk/sk, gsi1) for the licensing adapters' tests: see test/support/support-table.ts. */
export { createLicensingTable, type LicensingTable } from '#test/support/support-table';
