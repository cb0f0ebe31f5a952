// An action group's inline schema must be OpenAPI 3, as Bedrock requires.
import { describe, expect, it } from 'vitest';
import { apiSchemaProblem } from '../../src/kinds/agent/api-schema.ts';

const valid = `openapi: 3.0.0
info: { title: Orders, version: "1" }
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      description: Find an order
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { "200": { description: the order } }
`;

describe('API schemas', () => {
  it('takes OpenAPI 3 as YAML and as JSON', async () => {
    expect(await apiSchemaProblem(valid)).toBeUndefined();
    expect(await apiSchemaProblem(JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} }))).toBeUndefined();
  });
  it('refuses Swagger 2, text, and an OpenAPI document missing what the standard requires', async () => {
    expect(await apiSchemaProblem('swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n')).toContain('Swagger 2.0');
    expect(await apiSchemaProblem('just words')).toBeDefined();
    expect(await apiSchemaProblem('openapi: 3.0.0\npaths: {}\n')).toMatch(/info/);
  });
  it('does not follow a reference outside the document', async () => {
    const problem = await apiSchemaProblem(valid.replace('schema: { type: string }', 'schema: { $ref: "http://169.254.169.254/latest/meta-data" }'));
    expect(problem).toContain('http://169.254.169.254/latest/meta-data outside the document');
  });
});
