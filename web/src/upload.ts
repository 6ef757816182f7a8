// A multipart form sent with XMLHttpRequest, because fetch reports no upload progress and a
// song is megabytes a director waits on. The XMLHttpRequest is made by an injected factory
// (as api.ts injects fetch) so tests can play the network; this module only moves bytes and
// reports how far they got, and api.ts reads the answer like any other. Like fetch, it fails
// with a TypeError when no answer came and an AbortError when cancelled.

/** The part of XMLHttpRequest an upload uses. */
export interface UploadXhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  readonly upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: ((event: ProgressEvent) => void) | null;
  onerror: ((event: ProgressEvent) => void) | null;
  onabort: ((event: ProgressEvent) => void) | null;
}

export type XhrFactory = () => UploadXhr;

export const browserXhr: XhrFactory = () => new XMLHttpRequest();

export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** Bytes in the whole request body; 0 while unknown. */
  total: number;
}

export interface FormRequest {
  url: string;
  headers: Record<string, string>;
  form: FormData;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** The server's answer, whatever its status. */
export interface FormAnswer {
  status: number;
  text: string;
}

/**
 * POSTs `form`; resolves with the answer, rejects with a TypeError when no answer came, or
 * with an AbortError when `signal` aborted it.
 */
export function sendForm(xhr: XhrFactory, request: FormRequest): Promise<FormAnswer> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    const aborted = () => new DOMException("the upload was cancelled", "AbortError");
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const req = xhr();
    const onAbortSignal = () => req.abort();
    const settle = () => signal?.removeEventListener("abort", onAbortSignal);

    req.open("POST", request.url);
    for (const [name, value] of Object.entries(request.headers)) req.setRequestHeader(name, value);
    req.upload.onprogress = (event) => {
      request.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    };
    req.onload = () => {
      settle();
      resolve({ status: req.status, text: req.responseText });
    };
    req.onerror = () => {
      settle();
      reject(new TypeError("the upload got no answer"));
    };
    req.onabort = () => {
      settle();
      reject(aborted());
    };
    signal?.addEventListener("abort", onAbortSignal);
    req.send(request.form);
  });
}

/** A byte count as the server's limit is set (MIRI_MAX_UPLOAD_MB, in MiB): "3.4 MB", "812 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
