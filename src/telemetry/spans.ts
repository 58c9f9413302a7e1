/** A span processor that passes on only attribute values OpenTelemetry allows. */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

type AttributeValue = ReadableSpan['attributes'][string];

/**
 * Workflow spans reach the worker through a sink that copies the whole workflow info onto their
 * attributes (search attributes, memo, dates, nested objects). The SDK checks values only when
 * they are set through a live span, so those copies are filtered here before any exporter sees
 * them: strings, numbers, booleans and homogeneous arrays of them pass; everything else is dropped
 * and counted in `droppedAttributesCount`.
 */
export class AttributeCheckingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const attributes: Record<string, AttributeValue> = {};
    let dropped = 0;
    for (const [key, value] of Object.entries(span.attributes)) {
      if (isAttributeValue(value)) attributes[key] = value;
      else if (value !== undefined) dropped += 1;
    }
    if (dropped === 0) {
      this.next.onEnd(span);
      return;
    }
    this.next.onEnd({
      name: span.name,
      kind: span.kind,
      spanContext: () => span.spanContext(),
      parentSpanId: span.parentSpanId,
      startTime: span.startTime,
      endTime: span.endTime,
      status: span.status,
      attributes,
      links: span.links,
      events: span.events,
      duration: span.duration,
      ended: span.ended,
      resource: span.resource,
      instrumentationLibrary: span.instrumentationLibrary,
      droppedAttributesCount: span.droppedAttributesCount + dropped,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    });
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

function isAttributeValue(value: unknown): value is AttributeValue {
  if (isPrimitive(value)) return true;
  if (!Array.isArray(value)) return false;
  const types = new Set(value.filter((v) => v !== null && v !== undefined).map((v) => typeof v));
  return value.every((v) => v === null || v === undefined || isPrimitive(v)) && types.size <= 1;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
