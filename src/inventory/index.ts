/** The inventory (docs/inventory.md): load, validate, merge, select. */
export { HostSelectionError, InventoryError } from './errors.js';
export { localContext, parseInventory, type InventoryOptions } from './load.js';
export { selectHosts } from './select.js';
