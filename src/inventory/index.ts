/** The inventory (DESIGN §8): load, validate, merge, select. */
export { HostSelectionError, InventoryError } from './errors.js';
export { parseInventory, type InventoryOptions } from './load.js';
export { selectHosts } from './select.js';
