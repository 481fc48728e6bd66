/** A request the client must change: answered with its status (400 unless given) and this message, as JSON. */
export class ApiError extends Error {
  readonly statusCode: number;
  constructor(message: string, statusCode = 400) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
  }
}
