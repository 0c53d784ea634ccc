/**
 * care-expiring: a product's Care or subscription term ends soon (evaluated on the tick, against
 * its `now`). A shortfall is such an end: the licence's capacity drops at its `enforcedAt`, and
 * the evidence names it, so support sees the installations about to lose licences.
 */
import * as z from 'zod/mini';
import type { Product } from '../../licensing/catalogue';
import { defineRule, STATE_FACT, type Severity, type Signal } from '../rule';
import { clearVanished } from './subjects';

const DAY = 86_400_000;
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

interface Term {
  care?: number;
  subscription?: number;
  shortfall?: { quantity: number; enforcedAt: string };
}

export const rule = defineRule({
  id: 'care-expiring',
  description: 'Care or subscription term of a product ends within 90 (info), 30 (warning) or 7 (critical) days',
  reads: [],
  fields: ['licence:products'],
  config: z.object({
    infoDays: z._default(z.number().check(z.gte(0)), 90),
    warningDays: z._default(z.number().check(z.gte(0)), 30),
    criticalDays: z._default(z.number().check(z.gte(0)), 7),
    /** a term ended this long ago is no longer "ending soon": the finding resolves (Care was dropped) */
    expiredForgetDays: z._default(z.number().check(z.gte(0)), 30),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: '{subject|product} Care ends {expiresAt|date}',
    message:
      'The Care of {subject|product} ends on {expiresAt|date} ({daysLeft|relativeDays}): after that, no suite updates and no proactive support.',
    nextStep: 'Renew the Care of {subject|product} with your reseller before {expiresAt|date}.',
    variants: [
      {
        when: { term: 'subscription' },
        title: '{subject|product} subscription ends {expiresAt|date}',
        message:
          'The subscription of {subject|product} ends on {expiresAt|date} ({daysLeft|relativeDays})[: {shortfall|plural:licence} allocated beyond what the account holds go then].',
        nextStep:
          'Renew the subscription (or order the missing capacity) before {expiresAt|date}, or the installation loses those licences.',
      },
    ],
  },
  evaluate: () => NO_SIGNALS,
  tick({ now, licence, memory, config }) {
    // Per product, the end of the Care covering it (the licence's care.expiresAt already runs on
    // through renewals deposited) and the first instant its capacity drops (expiresAt); the latest
    // of each should a licence list a product more than once.
    const terms = new Map<Product, Term>();
    for (const line of licence.products) {
      let term = terms.get(line.product);
      if (!term) {
        term = {};
        terms.set(line.product, term);
      }
      if (line.care) term.care = Math.max(term.care ?? -Infinity, Date.parse(line.care.expiresAt));
      if (line.expiresAt) term.subscription = Math.max(term.subscription ?? -Infinity, Date.parse(line.expiresAt));
      if (line.shortfall) term.shortfall = { quantity: line.shortfall.quantity, enforcedAt: line.shortfall.enforcedAt };
    }
    const signals: Signal[] = [];
    for (const [product, term] of terms) {
      // the term that ends first is the one to renew first
      const which =
        term.care === undefined
          ? 'subscription'
          : term.subscription === undefined || term.care <= term.subscription
            ? 'care'
            : 'subscription';
      const end = term[which];
      if (end === undefined || Number.isNaN(end)) continue;
      const left = end - now;
      const severity: Severity | null =
        left < -config.expiredForgetDays * DAY
          ? null
          : left <= config.criticalDays * DAY
            ? 'critical'
            : left <= config.warningDays * DAY
              ? 'warning'
              : left <= config.infoDays * DAY
                ? 'info'
                : null;
      signals.push({
        subject: product,
        severity,
        evidence: {
          term: which,
          expiresAt: new Date(end).toISOString(),
          daysLeft: Math.floor(left / DAY),
          // the capacity drop is a shortfall's enforcement: this many allocated beyond what the account holds
          ...(which === 'subscription' && term.shortfall && Date.parse(term.shortfall.enforcedAt) === end
            ? { shortfall: term.shortfall.quantity }
            : {}),
        },
      });
    }
    return clearVanished(memory, signals, STATE_FACT.resolveAfter);
  },
});
