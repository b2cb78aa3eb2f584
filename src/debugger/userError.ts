// A request the client got wrong, or a program that cannot run: shown to the user as is, never
// as an internal error. Browser-safe.
export class UserError extends Error {}

/**
 * DAP error id of an attach that gave up waiting for the target to run Python code (the id of
 * every other error is 1): `pyscope debug -p` tells it from other failures by it.
 */
export const ATTACH_GAVE_UP_ERROR_ID = 2;

/** An attach gave up: the target ran no Python code within the bound. Nothing of it was left in the target. */
export class AttachGaveUp extends UserError {}
