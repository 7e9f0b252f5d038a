// A usage error: input the user can fix (a flag's value, a missing file, a malformed lab). The
// command line prints its message on one line and exits 2. Its own module so that every command
// can throw it without importing the command table.

export class UsageError extends Error {}
