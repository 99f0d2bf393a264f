/**
 * The inventory (docs/inventory.md): load, validate, merge, select; Ansible's inventories read as one; and hosts given
 * on the command line instead.
 */
export { HostSelectionError, InventoryError } from './errors.js';
export { localContext, parseInventory, type InventoryOptions } from './load.js';
export { selectHosts } from './select.js';
export { adHocInventory, adHocLabel, localHostName, localInventory, type AdHocSettings } from './adhoc.js';
export { parseHostEntries, parseHostEntry, safeHostName, splitHostList, type HostEntry } from './hostEntry.js';
export { ansibleToRaw, parseAnsibleInventory, type AnsibleIssue, type AnsibleMapping, type Origin as AnsibleOrigin } from './ansible.js';
export { detectInventoryFormat, type InventoryFormat, type InventorySource } from './ansibleDetect.js';
