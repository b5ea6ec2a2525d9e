/**
 * Arbiter events as FleetEvents on ring.agent.<id>.evt.<watcher>.<event>. While NATS is down they
 * wait in a bounded outbox and are replayed in order on reconnect, after an `_agent` dropped_events
 * event when the outbox overflowed.
 */
import type { RingEvent } from '../../protocol/events.ts';
import type { FleetEvent } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { Outbox } from './outbox.ts';

export interface EventSink {
  agent(): string;
  readonly boot: string;
  /** The inventory revision (already counting the event being forwarded). */
  rev(): number;
  connected(): boolean;
  publish(subject: string, text: string): void;
}

interface Pending {
  subject: string;
  text: string;
}

export class EventForwarder {
  readonly outbox: Outbox<Pending>;

  constructor(capacity: number, private readonly target: EventSink) {
    this.outbox = new Outbox(capacity);
  }

  /** Events dropped since start (outbox overflow). */
  get dropped(): number {
    return this.outbox.dropped;
  }

  forward(e: RingEvent): void {
    const t = this.target;
    const payload: FleetEvent = { ...e, agent: t.agent(), boot: t.boot, rev: t.rev() };
    this.send({ subject: subjects.event(t.agent(), e.watcher, e.event), text: JSON.stringify(payload) });
  }

  /** After (re)connecting: the dropped_events notice when events were lost, then what waited, oldest first. */
  replay(): void {
    const t = this.target;
    const lost = this.outbox.takeDropped();
    if (lost > 0) {
      const notice: FleetEvent = {
        agent: t.agent(), boot: t.boot, rev: t.rev(), event: 'dropped_events', watcher: '_agent', time: Date.now(),
        dropped: lost, total: this.outbox.dropped,
      };
      t.publish(subjects.agentEvent(t.agent(), 'dropped_events'), JSON.stringify(notice));
    }
    for (let p = this.outbox.shift(); p !== undefined; p = this.outbox.shift()) t.publish(p.subject, p.text);
  }

  private send(p: Pending): void {
    if (this.target.connected() && this.outbox.size === 0) this.target.publish(p.subject, p.text);
    else this.outbox.push(p);
  }
}
