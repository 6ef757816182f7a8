// A scriptable XMLHttpRequest for uploads: the test plays the network (progress, the answer,
// a dropped connection) and reads what the page sent.

import { vi } from "vitest";
import type { UploadXhr } from "../upload";

type Handler = ((event: ProgressEvent) => void) | null;

export class FakeXhr implements UploadXhr {
  method = "";
  url = "";
  readonly headers: Record<string, string> = {};
  body: FormData | null = null;
  aborted = false;
  status = 0;
  responseText = "";
  readonly upload: { onprogress: Handler } = { onprogress: null };
  onload: Handler = null;
  onerror: Handler = null;
  onabort: Handler = null;

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  send(body: FormData): void {
    this.body = body;
  }

  /** Like the browser's: the request ends at once with an abort event. */
  abort(): void {
    this.aborted = true;
    this.onabort?.(new ProgressEvent("abort"));
  }

  /** `loaded` of `total` bytes of the body have been sent. */
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.(new ProgressEvent("progress", { loaded, total, lengthComputable: true }));
  }

  /** The server answers `status` with `body` (JSON unless a string). */
  respond(status: number, body: unknown): void {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.(new ProgressEvent("load"));
  }

  /** The connection drops before any answer. */
  fail(): void {
    this.onerror?.(new ProgressEvent("error"));
  }
}

export function fakeXhrFactory() {
  const made: FakeXhr[] = [];
  const factory = vi.fn(() => {
    const xhr = new FakeXhr();
    made.push(xhr);
    return xhr;
  });
  return {
    factory,
    made,
    get last(): FakeXhr {
      const xhr = made[made.length - 1];
      if (!xhr) throw new Error("no upload was sent");
      return xhr;
    },
  };
}

/** An MP3 as a file input hands it over: an MPEG frame header and some bytes. */
export function mp3File(name = "שיר ערש.mp3", size = 4096): File {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xfb, 0x90, 0x64]);
  return new File([bytes], name, { type: "audio/mpeg" });
}
