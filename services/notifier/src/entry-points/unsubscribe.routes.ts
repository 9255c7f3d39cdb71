import express, { type Router } from 'express';
import { errorCode, type Logger } from '@kindred/platform';
import type { DeliveryLedger } from '../data-access/delivery-ledger.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { EmailOptOuts } from '../ports/email-opt-outs.port.js';

export const UNSUBSCRIBE_PATH = '/unsubscribe';
const DELIVERY_ID = /^dlv_[0-9a-f]{32}$/;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body>${body}</body></html>`;
}

/**
 * The List-Unsubscribe target. GET only shows a button (mail scanners follow links; they must not unsubscribe
 * anyone); POST, including the RFC 8058 one-click POST, records the opt-out.
 */
export function unsubscribeRoutes(deps: { ledger: DeliveryLedger; optOuts: EmailOptOuts; clock: Clock; log: Logger }): Router {
  const router = express.Router();
  router.get(`${UNSUBSCRIBE_PATH}/:deliveryId`, (req, res) => {
    if (!DELIVERY_ID.test(req.params.deliveryId)) {
      res.status(404).type('html').send(page('Not found', '<p>This link is not valid.</p>'));
      return;
    }
    res
      .type('html')
      .send(
        page(
          'Unsubscribe',
          `<form method="post"><p>Stop introduction emails from Kindred? / ¿Dejar de recibir correos de presentación de Kindred?</p>` +
            `<button type="submit">Unsubscribe / Darme de baja</button></form>`,
        ),
      );
  });
  router.post(`${UNSUBSCRIBE_PATH}/:deliveryId`, express.urlencoded({ extended: false, limit: '1kb' }), async (req, res) => {
    const deliveryId = req.params.deliveryId;
    try {
      const delivery = DELIVERY_ID.test(deliveryId) ? await deps.ledger.get(deliveryId) : null;
      if (!delivery) {
        res.status(404).type('html').send(page('Not found', '<p>This link is not valid.</p>'));
        return;
      }
      await deps.optOuts.record(delivery.recipientId, deliveryId, deps.clock.now());
      deps.log.info({ deliveryId }, 'email opt-out recorded');
      res.type('html').send(page('Unsubscribed', '<p>You will not receive more introduction emails. / No recibirás más correos de presentación.</p>'));
    } catch (error) {
      deps.log.error({ code: errorCode(error) }, 'unsubscribe failed');
      res.status(503).type('html').send(page('Try again', '<p>Please try again later.</p>'));
    }
  });
  return router;
}
