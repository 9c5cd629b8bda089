/**
 * What the plant receives: one JSON message per inspection (and one per operator review), on a topic per
 * station and part. Every message carries a `messageId`: a receiver that keeps the ids it has seen gets
 * each message exactly once, however often a reconnect makes the tablet send it. Pure.
 */
import { finalVerdict, type InspectionRecord, type ModelVerdict } from './record';

export type MessageKind = 'inspection' | 'review';

export interface InspectionMessage
  extends Pick<InspectionRecord, 'station' | 'part' | 'modelId' | 'modelVersion' | 'file' | 'source' | 'score' | 'threshold' | 'verdict' | 'width' | 'height'> {
  messageId: string;
  kind: 'inspection';
  /** ISO 8601. */
  time: string;
  /** The operator's verdict where set, else the model's. */
  finalVerdict: ModelVerdict;
  /** The photo's thumbnail as a base64 JPEG, when the station publishes thumbnails. */
  thumbnailJpeg?: string;
}

/** The operator set or cleared an override, or wrote a note, on an inspection already published. */
export interface ReviewMessage {
  messageId: string;
  kind: 'review';
  /** The inspection's messageId. */
  recordId: string;
  /** When the review was saved (ISO 8601). */
  time: string;
  station: string;
  part: string;
  verdict: ModelVerdict;
  /** The operator's verdict, or null when the model's stands. */
  override: ModelVerdict | null;
  finalVerdict: ModelVerdict;
  note: string;
}

export type PlantMessage = InspectionMessage | ReviewMessage;

export function inspectionMessage(record: InspectionRecord, thumbnailJpeg?: string): InspectionMessage {
  return {
    messageId: record.id,
    kind: 'inspection',
    time: new Date(record.time).toISOString(),
    station: record.station,
    part: record.part,
    modelId: record.modelId,
    modelVersion: record.modelVersion,
    file: record.file,
    source: record.source,
    score: record.score,
    threshold: record.threshold,
    verdict: record.verdict,
    finalVerdict: finalVerdict(record),
    width: record.width,
    height: record.height,
    ...(thumbnailJpeg !== undefined && { thumbnailJpeg }),
  };
}

export function reviewMessage(record: InspectionRecord, messageId: string, at: number): ReviewMessage {
  return {
    messageId,
    kind: 'review',
    recordId: record.id,
    time: new Date(at).toISOString(),
    station: record.station,
    part: record.part,
    verdict: record.verdict,
    override: record.override?.verdict ?? null,
    finalVerdict: finalVerdict(record),
    note: record.note,
  };
}

/** A name as one topic level: MQTT's wildcards and separators (+ # /) and control characters become '_'. */
export function topicLevel(name: string): string {
  const level = name.trim().replace(/[+#/\u0000-\u001f\u007f]/g, '_');
  return level || '_';
}

/** `<prefix>/<station>/<part>/<kind>`; the prefix may have levels of its own. */
export function topicFor(prefix: string, station: string, part: string, kind: MessageKind): string {
  const levels = prefix.split('/').filter(Boolean).map(topicLevel);
  return [...levels, topicLevel(station), topicLevel(part), kind].join('/');
}

/** What is wrong with a topic prefix as typed, or null. */
export function topicPrefixProblem(prefix: string): string | null {
  if (/[+#]/.test(prefix)) return 'a topic prefix cannot hold the wildcards + or #';
  if (prefix.startsWith('$')) return 'topics starting with $ are reserved for the broker';
  return null;
}

/** What is wrong with a URL as typed for `schemes` (e.g. ['ws:', 'wss:']), or null. */
export function endpointProblem(typed: string, schemes: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    return `not a URL: write it as ${schemes[0]}//host:port/path`;
  }
  if (!schemes.includes(url.protocol)) return `the URL must start with ${schemes.map((s) => `${s}//`).join(' or ')}`;
  // credentials in a URL end up in logs and history: they belong in the fields for them
  if (url.username || url.password) return 'put the user name and password in their own fields, not in the URL';
  return null;
}

export const BROKER_SCHEMES = ['ws:', 'wss:'] as const;
export const WEBHOOK_SCHEMES = ['https:', 'http:'] as const;
