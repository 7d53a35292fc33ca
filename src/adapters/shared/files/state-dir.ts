/**
 * Where the state lives (`--state-dir`, default ./cache): the state store, the deletion
 * journal, the registry cache, the notification log and the watch banner all keep files there.
 */
export const StateDir = Symbol('StateDir');
