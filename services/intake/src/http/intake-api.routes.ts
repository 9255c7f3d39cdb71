import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isAppError, type Logger } from '@kindred/platform';
import type { z } from 'zod';
import type { CrisisResources } from '../domain/crisis-resources.js';
import type { NewcomerIntake, PeerEnrollment, PeerUpdate } from '../domain/intake.schemas.js';
import { parseSafeJson } from '../domain/safe-json.js';
import { validate } from '../domain/validation.js';
import type { EnrollPeer } from '../use-cases/enroll-peer.js';
import type { NewcomerRegistration, RegisterNewcomer } from '../use-cases/register-newcomer.js';
import { PeerUpdateInvalid, type UpdatePeer } from '../use-cases/update-peer.js';
import { problems, sendProblem } from './problem.js';
import { requestLog } from './request-log.js';
import { bearerTokenOf, idempotencyKeyOf, traceOf } from './request-context.js';

export interface IntakeApiDeps {
  readonly schemas: {
    readonly newcomer: z.ZodType<NewcomerIntake>;
    readonly peerEnrollment: z.ZodType<PeerEnrollment>;
    readonly peerUpdate: z.ZodType<PeerUpdate>;
  };
  readonly registerNewcomer: RegisterNewcomer;
  readonly enrollPeer: EnrollPeer;
  readonly updatePeer: UpdatePeer;
  readonly crisisResources: (region: string | undefined) => CrisisResources;
  readonly rateLimit: RequestHandler;
  readonly bodyLimitBytes: number;
  readonly log: Logger;
}

/** JSON body as raw bytes: decoded strictly (invalid UTF-8 is refused, not replaced) and checked by parseSafeJson. */
function jsonBody(limit: number): RequestHandler[] {
  return [
    (req, res, next) => {
      if (!req.is('application/json')) {
        sendProblem(res, problems.unsupportedMediaType());
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit, inflate: false }),
  ];
}

function parsedBody(req: Request, res: Response): { ok: true; value: unknown } | { ok: false } {
  const raw: unknown = req.body;
  const parsed = parseSafeJson(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0));
  if (!parsed.ok) {
    const structural = parsed.errors.some((e) => e.code === 'invalid_utf8' || e.code === 'invalid_json');
    sendProblem(res, structural ? problems.badBody(parsed.errors) : problems.validation(parsed.errors));
    return { ok: false };
  }
  return parsed;
}

export function newcomerResponse(registration: NewcomerRegistration, resources: CrisisResources) {
  return {
    id: registration.newcomerId,
    status: 'received' as const,
    riskLevel: registration.screening.riskLevel,
    urgent: registration.screening.urgent,
    ...(registration.screening.showCrisisResources ? { crisisResources: resources } : {}),
  };
}

export function intakeApiRoutes(deps: IntakeApiDeps): Router {
  const router = express.Router();
  const body = jsonBody(deps.bodyLimitBytes);

  const failed = (res: Response, error: unknown, log: Logger) => {
    if (error instanceof PeerUpdateInvalid) return sendProblem(res, problems.validation(error.errors));
    if (isAppError(error)) {
      switch (error.code) {
        case 'INTAKE.IDEMPOTENCY_KEY_REUSED':
          return sendProblem(res, problems.idempotencyKeyReused());
        case 'INTAKE.PEER_NOT_FOUND':
          return sendProblem(res, problems.notFound('peer'));
        case 'INTAKE.UNAUTHORIZED':
          return sendProblem(res, problems.unauthorized());
        default:
          if (error.retriable) return sendProblem(res, problems.unavailable());
      }
    }
    log.error({ err: error }, 'request failed');
    return sendProblem(res, problems.internal());
  };

  router.post('/v1/intakes', deps.rateLimit, ...body, async (req, res) => {
    const key = idempotencyKeyOf(req);
    if (!key.ok) return sendProblem(res, problems.invalidIdempotencyKey());
    const parsed = parsedBody(req, res);
    if (!parsed.ok) return;
    const input = validate(deps.schemas.newcomer, parsed.value);
    if (!input.ok) return sendProblem(res, problems.validation(input.errors));
    try {
      const registration = await deps.registerNewcomer(input.value, { idempotencyKey: key.key, trace: traceOf(req) });
      if (registration.replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.status(201).json(newcomerResponse(registration, deps.crisisResources(registration.region)));
    } catch (error) {
      failed(res, error, requestLog(res, deps.log));
    }
  });

  router.post('/v1/peers', deps.rateLimit, ...body, async (req, res) => {
    const key = idempotencyKeyOf(req);
    if (!key.ok) return sendProblem(res, problems.invalidIdempotencyKey());
    const parsed = parsedBody(req, res);
    if (!parsed.ok) return;
    const input = validate(deps.schemas.peerEnrollment, parsed.value);
    if (!input.ok) return sendProblem(res, problems.validation(input.errors));
    try {
      const result = await deps.enrollPeer(input.value, { idempotencyKey: key.key, trace: traceOf(req) });
      if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
      res
        .status(201)
        .location(`/v1/peers/${result.peerId}`)
        .json({ id: result.peerId, status: 'enrolled', ...(result.editToken === undefined ? {} : { editToken: result.editToken }) });
    } catch (error) {
      failed(res, error, requestLog(res, deps.log));
    }
  });

  router.put('/v1/peers/:id', deps.rateLimit, ...body, async (req, res) => {
    const id = String(req.params['id'] ?? '');
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return sendProblem(res, problems.notFound('peer'));
    const parsed = parsedBody(req, res);
    if (!parsed.ok) return;
    const input = validate(deps.schemas.peerUpdate, parsed.value);
    if (!input.ok) return sendProblem(res, problems.validation(input.errors));
    try {
      const result = await deps.updatePeer(id, bearerTokenOf(req), input.value, { trace: traceOf(req) });
      res.status(200).json({ id: result.peerId, active: result.active, pausedUntil: result.pausedUntil ?? null });
    } catch (error) {
      failed(res, error, requestLog(res, deps.log));
    }
  });

  return router;
}
