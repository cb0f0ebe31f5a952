// On AgentCore, action groups become tools: the functions of the complete example, the operations
// of an OpenAPI schema (narrowed to what AgentCore's SchemaDefinition can say), RETURN_CONTROL
// groups as harness inline functions; and drift is judged on meaning, not on order.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AgentSpec } from '../../src/api/agent.ts';
import { functionSchemaTools, inlineFunctionTools, openApiTools, sameTools, type ActionGroup } from '../../src/kinds/agent/agentcore/tool-schema.ts';

const orders = `openapi: 3.0.0
info: { title: Orders, version: "1" }
paths:
  /orders/{orderId}/notes:
    post:
      operationId: addNote
      summary: Add a note to an order
      parameters: [{ name: orderId, in: path, required: true, description: The order, schema: { type: string } }]
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Note" }
      responses: { "200": { description: the note } }
  /orders:
    get:
      description: List orders
      parameters: [{ name: status, in: query, schema: { type: string, enum: [open, shipped] } }]
      responses: { "200": { description: the orders } }
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: { type: string, description: What to note }
        tags: { type: array, items: { type: string } }
`;

async function exampleAgent(): Promise<AgentSpec> {
  const text = await readFile(join(import.meta.dirname, '..', '..', 'examples', 'complete', 'order-assistant.yaml'), 'utf8');
  const agent = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; spec: AgentSpec }).find((o) => o.kind === 'Agent');
  return agent!.spec;
}

describe('AgentCore tool schemas', () => {
  it('turns the complete example\'s lookup_order function into a gateway tool with its parameter and required list', async () => {
    const group = (await exampleAgent()).actionGroups![0]!;
    expect(functionSchemaTools(group)).toEqual([{
      name: 'lookup_order',
      description: 'Look up an order by its ID',
      inputSchema: { type: 'object', properties: { order_id: { type: 'string', description: 'The order ID, such as A-1001' } }, required: ['order_id'] },
    }]);
  });

  it('gives a function without description its name as description, and omits an empty required list', () => {
    const group: ActionGroup = { name: 'g', actionGroupExecutor: { lambda: 'f' }, functionSchema: { functions: [{ name: 'ping', parameters: { tags: { type: 'array' } } }] } };
    expect(functionSchemaTools(group)).toEqual([{ name: 'ping', description: 'ping', inputSchema: { type: 'object', properties: { tags: { type: 'array' } } } }]);
  });

  it('makes one tool per OpenAPI operation: path parameters and the JSON body\'s properties together, required merged', async () => {
    const [addNote, listOrders] = await openApiTools(orders);
    expect(addNote).toEqual({
      name: 'addNote',
      description: 'Add a note to an order',
      inputSchema: {
        type: 'object',
        properties: {
          orderId: { type: 'string', description: 'The order' },
          text: { type: 'string', description: 'What to note' },
          tags: { type: 'array', items: { type: 'string' } },
        },
        required: ['orderId', 'text'],
      },
    });
    // No operationId: the name comes from method and path, in the characters a tool name may hold.
    expect(listOrders?.name).toBe('get_orders');
    expect(listOrders?.description).toBe('List orders');
  });

  it('folds an enum into the description, since AgentCore\'s schema has no enum', async () => {
    const [, listOrders] = await openApiTools(orders);
    expect(listOrders?.inputSchema?.properties?.status).toEqual({ type: 'string', description: 'One of: open, shipped' });
    const described = await openApiTools(orders.replace('schema: { type: string, enum', 'description: Order state, schema: { type: string, enum'));
    expect(described[1]?.inputSchema?.properties?.status?.description).toBe('Order state (one of: open, shipped)');
  });

  it('refuses two operations that become the same tool name, naming both', async () => {
    const clash = orders.replace('description: List orders', 'operationId: addNote\n      description: List orders');
    await expect(openApiTools(clash)).rejects.toThrow('operation addNote (GET /orders) and operation addNote (POST /orders/{orderId}/notes) both become the tool addNote');
  });

  it('refuses what a tool schema cannot express, naming the operation', async () => {
    const oneOf = orders.replace('schema: { type: string, enum: [open, shipped] }', 'schema: { oneOf: [{ type: string }, { type: integer }] }');
    await expect(openApiTools(oneOf)).rejects.toThrow('operation GET /orders, query parameter status uses oneOf');
  });

  it('makes RETURN_CONTROL functions harness inline functions named after their group', async () => {
    const group: ActionGroup = {
      name: 'approvals',
      actionGroupExecutor: { customControl: 'RETURN_CONTROL' },
      functionSchema: { functions: [{ name: 'ask_manager', description: 'Ask a manager to approve', parameters: { amount: { type: 'number', required: true } } }] },
    };
    expect(await inlineFunctionTools(group)).toEqual([{
      type: 'inline_function',
      name: 'approvals__ask_manager',
      config: { inlineFunction: { description: 'Ask a manager to approve', inputSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } },
    }]);
    const long = { ...group, name: 'a'.repeat(60) };
    const [tool] = await inlineFunctionTools(long);
    expect(tool?.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(tool?.name).not.toBe((await inlineFunctionTools({ ...long, name: `${'a'.repeat(59)}b` }))[0]?.name);
  });

  it('compares tools on meaning: order does not matter, a changed parameter type does', async () => {
    const desired = await openApiTools(orders);
    const fromAws = structuredClone(desired).reverse();
    fromAws[1]!.inputSchema!.required!.reverse();
    fromAws[1]!.inputSchema!.properties!.tags!.description = undefined;
    expect(sameTools(desired, fromAws)).toBe(true);
    fromAws[1]!.inputSchema!.properties!.orderId!.type = 'integer';
    expect(sameTools(desired, fromAws)).toBe(false);
  });
});
