// A request the client got wrong, or a program that cannot run: shown to the user as is, never
// as an internal error. Browser-safe.
export class UserError extends Error {}
