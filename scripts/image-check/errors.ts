/** A failure of the image check that explains itself: printed without a stack trace. */
export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}

/** The Dockerfile itself is wrong or uses what the check cannot read. */
export class DockerfileError extends RecipeError {
  constructor(line: number, message: string) {
    super(line > 0 ? `Dockerfile line ${line}: ${message}` : `Dockerfile: ${message}`);
    this.name = 'DockerfileError';
  }
}
