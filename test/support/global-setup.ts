/** Global test set-up: nothing yet; suites that need Docker or PostgreSQL check for them themselves. */
export default function setup(): void {}
