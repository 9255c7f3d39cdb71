import { z } from 'zod';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (JSON Schema 2020-12 is
 * OpenAPI 3.1's dialect), so the document cannot drift from the code.
 */
export function openApiDocument(schemas: { newcomer: z.ZodType; peerEnrollment: z.ZodType; peerUpdate: z.ZodType }): Record<string, unknown> {
  const schema = (s: z.ZodType) => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    return rest;
  };
  const problem = { $ref: '#/components/schemas/Problem' };
  const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });
  const idempotencyKey = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'A retried request with the same key returns the first result and creates nothing; the same key with another body is refused (422).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  };
  const errors = {
    '400': problemResponse('The body is not valid UTF-8 JSON, or a header is malformed'),
    '413': problemResponse('The body is too large'),
    '415': problemResponse('The body is not application/json'),
    '422': problemResponse('One or more fields are invalid (one entry per field in `errors`), or the Idempotency-Key was reused'),
    '429': problemResponse('Too many requests'),
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Kindred intake API', version: '1.0.0', description: 'Newcomer intake and peer enrollment.' },
    paths: {
      '/v1/intakes': {
        post: {
          operationId: 'createIntake',
          summary: 'Register a newcomer',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewcomerIntake' } } } },
          responses: {
            '201': {
              description: 'Registered. Crisis resources are included when the screener shows risk.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IntakeAccepted' } } },
            },
            ...errors,
          },
        },
      },
      '/v1/peers': {
        post: {
          operationId: 'enrollPeer',
          summary: 'Enroll a peer supporter',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PeerEnrollment' } } } },
          responses: {
            '201': {
              description: 'Enrolled; `editToken` (shown once) authorises later updates.',
              content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, status: { const: 'enrolled' }, editToken: { type: 'string' } }, required: ['id', 'status'] } } },
            },
            ...errors,
          },
        },
      },
      '/v1/peers/{id}': {
        put: {
          operationId: 'updatePeer',
          summary: 'Change a peer profile, pause (with a return date) or resume',
          security: [{ editToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PeerUpdate' } } } },
          responses: {
            '200': {
              description: 'Updated',
              content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, active: { type: 'boolean' }, pausedUntil: { type: ['string', 'null'], format: 'date' } } } } },
            },
            '401': problemResponse('Missing or wrong edit token'),
            '404': problemResponse('No such peer'),
            ...errors,
          },
        },
      },
    },
    components: {
      securitySchemes: { editToken: { type: 'http', scheme: 'bearer' } },
      schemas: {
        NewcomerIntake: schema(schemas.newcomer),
        PeerEnrollment: schema(schemas.peerEnrollment),
        PeerUpdate: schema(schemas.peerUpdate),
        IntakeAccepted: {
          type: 'object',
          required: ['id', 'status', 'riskLevel', 'urgent'],
          properties: {
            id: { type: 'string' },
            status: { const: 'received' },
            riskLevel: { enum: ['none', 'low', 'moderate', 'imminent'] },
            urgent: { type: 'boolean' },
            crisisResources: {
              type: 'object',
              properties: {
                country: { type: 'string' },
                emergencyNumber: { type: 'string' },
                lines: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, call: { type: 'string' }, text: { type: 'string' }, chatUrl: { type: 'string' } } } },
              },
            },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', required: ['field', 'code', 'message'], properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
