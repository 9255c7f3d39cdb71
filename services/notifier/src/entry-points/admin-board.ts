import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';

export const ADMIN_QUEUES_PATH = '/admin/queues';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** bull-board for coordinators, behind a bearer token until the console proxies it with its own sessions. */
export function mountAdminBoard(app: Express, queues: readonly Queue[], coordinatorToken: string): void {
  const expected = digest(coordinatorToken);
  const requireCoordinator = (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    // Compared as digests so that the comparison takes the same time whatever the length given.
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ code: 'NOTIFIER.UNAUTHORIZED', message: 'coordinator credential required' });
      return;
    }
    next();
  };
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  app.use(ADMIN_QUEUES_PATH, requireCoordinator, serverAdapter.getRouter() as express.Router);
}
