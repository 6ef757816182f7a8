// Every user-visible string of the web UI lives here, Hebrew first with the
// English text beside it. The UI is Hebrew (right-to-left) by default; an
// English toggle will only need to call setLocale("en").

export type Locale = "he" | "en";

interface Entry {
  he: string;
  en: string;
}

export const messages = {
  appTitle: { he: "מירי — סטודיו לקליפים", en: "Miri — music-video studio" },

  // Login
  loginTitle: { he: "כניסה", en: "Sign in" },
  tokenLabel: { he: "אסימון גישה", en: "Access token" },
  loginSubmit: { he: "כניסה", en: "Sign in" },
  tokenRequired: { he: "יש להזין אסימון גישה", en: "Enter an access token" },
  sessionRejected: {
    he: "אסימון הגישה נדחה או שפג תוקפו. יש להתחבר מחדש.",
    en: "The access token was rejected or has expired. Please sign in again.",
  },
  logout: { he: "יציאה", en: "Sign out" },

  // Projects
  projectsLabel: { he: "פרויקט", en: "Project" },
  chooseProject: { he: "בחירת פרויקט…", en: "Choose a project…" },
  loadingProjects: { he: "טוען פרויקטים…", en: "Loading projects…" },
  noProjects: { he: "אין עדיין פרויקטים", en: "No projects yet" },
  projectNotFound: {
    he: "הפרויקט {id} לא נמצא",
    en: "Project {id} was not found",
  },
  retry: { he: "לנסות שוב", en: "Retry" },

  // Shots table
  shotsTitle: { he: "שוטים", en: "Shots" },
  loadingShots: { he: "טוען שוטים…", en: "Loading shots…" },
  noShots: { he: "אין שוטים בפרויקט הזה", en: "This project has no shots" },
  colIndex: { he: "#", en: "#" },
  colTime: { he: "זמן", en: "Time" },
  colLyrics: { he: "מילים", en: "Lyrics" },
  colDescription: { he: "תיאור", en: "Description" },
  colStatus: { he: "סטטוס", en: "Status" },
  colUpdated: { he: "עודכן", en: "Updated" },
  colActions: { he: "פעולות", en: "Actions" },
  approve: { he: "אישור", en: "Approve" },
  reject: { he: "דחייה", en: "Reject" },
  rejectReasonLabel: { he: "סיבת הדחייה", en: "Reason for rejection" },
  rejectReasonRequired: {
    he: "יש לכתוב סיבה לדחייה",
    en: "A reason is required to reject",
  },
  rejectConfirm: { he: "דחיית השוט", en: "Reject shot" },
  cancel: { he: "ביטול", en: "Cancel" },
  dismiss: { he: "סגירה", en: "Dismiss" },

  // Connection state (Socket.IO)
  connConnecting: { he: "מתחבר…", en: "Connecting…" },
  connConnected: { he: "מחובר — עדכונים חיים", en: "Connected — live updates" },
  connReconnecting: { he: "החיבור אבד, מתחבר מחדש…", en: "Connection lost, reconnecting…" },
  connRefused: { he: "החיבור נדחה: {message}", en: "Connection refused: {message}" },
  connDisconnected: {
    he: "השרת ניתק את החיבור",
    en: "The server closed the connection",
  },
  joinTimeout: {
    he: "השרת לא אישר את ההצטרפות לפרויקט",
    en: "The server did not confirm joining the project",
  },
  unknownReason: { he: "סיבה לא ידועה", en: "unknown reason" },

  // Errors
  networkError: {
    he: "אין תקשורת עם השרת",
    en: "Cannot reach the server",
  },
  httpError: { he: "שגיאת שרת ({status})", en: "Server error ({status})" },
  badResponse: {
    he: "התקבלה תשובה לא תקינה מהשרת",
    en: "The server sent an invalid response",
  },
} satisfies Record<string, Entry>;

export type MessageKey = keyof typeof messages;

/** Hebrew and English labels for each shot status the backend knows. */
export const statusLabels = {
  DRAFT: { he: "טיוטה", en: "Draft" },
  VALIDATION: { he: "בבדיקה", en: "Validation" },
  GENERATING_IMAGE: { he: "יוצר תמונה", en: "Generating image" },
  AWAITING_APPROVAL: { he: "ממתין לאישור", en: "Awaiting approval" },
  GENERATING_VIDEO: { he: "יוצר וידאו", en: "Generating video" },
  COMPLETED: { he: "הושלם", en: "Completed" },
  FAILED: { he: "נכשל", en: "Failed" },
  REFINING: { he: "בשיפור", en: "Refining" },
  AUDIO_ANALYSIS: { he: "ניתוח שמע", en: "Audio analysis" },
  FINAL_RENDER: { he: "רינדור סופי", en: "Final render" },
} satisfies Record<string, Entry>;

export type KnownStatus = keyof typeof statusLabels;

export function isKnownStatus(status: string): status is KnownStatus {
  return Object.prototype.hasOwnProperty.call(statusLabels, status);
}

let current: Locale = "he";

export function getLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale): void {
  current = locale;
}

/** Text direction of a locale. */
export function dirOf(locale: Locale): "rtl" | "ltr" {
  return locale === "he" ? "rtl" : "ltr";
}

/** BCP 47 tag used for dates and numbers. */
export function intlTagOf(locale: Locale): string {
  return locale === "he" ? "he-IL" : "en-GB";
}

/** Sets `lang` and `dir` on the <html> element for the current locale. */
export function applyDocumentLocale(doc: Document = document): void {
  doc.documentElement.lang = current;
  doc.documentElement.dir = dirOf(current);
  doc.title = t("appTitle");
}

/**
 * The text for `key` in the current locale; `{name}` placeholders are
 * replaced from `params`.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = messages[key][current];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The label of a shot status; a status the UI does not know is shown raw. */
export function statusLabel(status: string): string {
  return isKnownStatus(status) ? statusLabels[status][current] : status;
}
