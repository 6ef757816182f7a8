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

  // Render panel
  renderTitle: { he: "רינדור", en: "Render" },
  renderAnimatic: { he: "אנימטיק", en: "Animatic" },
  renderAnimaticHint: {
    he: "כל הסרט מתמונות וכרטיסים, לפני שמשלמים על קליפים",
    en: "The whole film from stills and cards, before clips are paid for",
  },
  renderFinal: { he: "רינדור סופי", en: "Final render" },
  renderFinalHint: {
    he: "הסרט מהקליפים המאושרים של כל השוטים",
    en: "The film from every shot's approved clip",
  },
  renderOverlay: { he: "שכבת מידע צרובה (עותק לבדיקה)", en: "Burned-in overlay (review copy)" },
  renderOverlayHint: {
    he: "לאנימטיק בלבד: השוט, הסטטוס, המילים וקוד הזמן על התמונה",
    en: "Animatic only: shot, status, lyric and time code on the picture",
  },
  renderStarting: { he: "מתחיל רינדור…", en: "Starting the render…" },
  renderRunning: { he: "{mode} בעבודה", en: "{mode} in progress" },
  renderProgressLabel: { he: "התקדמות הרינדור", en: "Render progress" },
  renderStep: { he: "{done} מתוך {total}", en: "{done} of {total}" },
  renderFailed: { he: "הרינדור נכשל: {message}", en: "The render failed: {message}" },
  renderLost: {
    he: "הרינדור {id} לא נמצא בשרת",
    en: "Render {id} was not found on the server",
  },
  badgeOverlay: { he: "שכבת מידע צרובה", en: "Overlay burned in" },
  badgeClean: { he: "ללא שכבת מידע", en: "No overlay" },

  // Player
  playerTitle: { he: "צפייה", en: "Playback" },
  playerLabel: { he: "{mode} מ־{time}", en: "{mode} of {time}" },
  mediaLoading: { he: "טוען וידאו…", en: "Loading the video…" },
  mediaError: { he: "לא ניתן לטעון את הווידאו: {message}", en: "The video could not be loaded: {message}" },
  noMedia: { he: "לרינדור הזה אין קובץ וידאו", en: "This render has no video file" },
  loadVideo: { he: "הצגת הווידאו", en: "Load the video" },
  noRenderShown: {
    he: "עדיין אין רינדור. התחילו באנימטיק כדי לראות את כל הסרט.",
    en: "No render yet. Start with an animatic to see the whole film.",
  },

  // Render report
  reportTitle: { he: "דוח הרינדור", en: "Render report" },
  noReport: {
    he: "לרינדור הזה אין דוח (נוצר לפני שנוספו דוחות)",
    en: "This render has no report (it was made before reports)",
  },
  reportFormat: { he: "{size} · {fps} פריימים לשנייה", en: "{size} · {fps} fps" },
  coverageTitle: { he: "כיסוי השיר", en: "Song coverage" },
  coverageOf: { he: "{covered} מתוך {song}", en: "{covered} of {song}" },
  gapsTitle: { he: "פערים", en: "Gaps" },
  noGaps: { he: "אין פערים", en: "No gaps" },
  overlapsTitle: { he: "חפיפות", en: "Overlaps" },
  noOverlaps: { he: "אין חפיפות", en: "No overlaps" },
  overlapShots: { he: "{first} ו־{second}", en: "{first} and {second}" },
  cutsTitle: { he: "חיתוכים על הקצב", en: "Cuts on the beat" },
  cutsOnBeat: {
    he: "{onBeat} מתוך {cuts} חיתוכים על פעמה או אונסט",
    en: "{onBeat} of {cuts} cuts on a beat or onset",
  },
  noGrid: { he: "אין רשת פעמות", en: "No beat grid" },
  noCuts: { he: "אין חיתוכים", en: "No cuts" },
  offBeatTitle: { he: "חיתוכים מחוץ לקצב", en: "Cuts off the beat" },
  offBeatNearest: { he: "הקרוב: {time}", en: "nearest: {time}" },
  lyricsTitle: { he: "שורות המילים", en: "Lyric lines" },
  uncoveredLyricsLabel: { he: "שורות לא מכוסות", en: "lines uncovered" },
  allLyricsCovered: { he: "כל השורות מכוסות", en: "Every line is covered" },
  noLyrics: { he: "אין שורות מילים בניתוח השיר", en: "The song's analysis has no lyric lines" },
  lyricUncovered: { he: "לא מכוסה: {seconds} ש׳", en: "Uncovered: {seconds} s" },
  lyricNoShot: { he: "אין שוט", en: "No shot" },
  scenesTitle: { he: "סצנות", en: "Scenes" },
  colScene: { he: "סצנה", en: "Scene" },
  colSeed: { he: "Seed", en: "Seed" },
  colShots: { he: "שוטים", en: "Shots" },
  noScenes: { he: "אין סצנות", en: "No scenes" },
  shotsWithoutScene: { he: "שוטים ללא סצנה: {count}", en: "Shots without a scene: {count}" },
  segmentsTitle: { he: "מה מוצג", en: "What is shown" },
  segClips: { he: "קליפים", en: "Clips" },
  segStills: { he: "סטילס", en: "Stills" },
  segTitleCards: { he: "כרטיסי כותרת", en: "Title cards" },
  segHidden: { he: "מוסתרים", en: "Hidden" },
  segGapCards: { he: "כרטיסי פער", en: "Gap cards" },
  unreadableTitle: { he: "מדיה שלא נקראה", en: "Unreadable media" },
  clipsPerModelTitle: { he: "קליפים לפי מודל", en: "Clips per model" },
  noClips: { he: "אין עדיין קליפים", en: "No clips yet" },
  kpiCuts: { he: "חיתוכים על פעמה", en: "Cuts on a beat" },
  kpiEstimate: { he: "עלות הקליפים שנותרו", en: "Clips still to make" },
  costTitle: { he: "עלות", en: "Cost" },
  costSpent: { he: "שולם", en: "Spent" },
  costReserved: { he: "שמור", en: "Reserved" },
  costCap: { he: "תקרה", en: "Cap" },
  costEstimate: {
    he: "הערכה ל־{clips} הקליפים שנותרו ({seconds} ש׳)",
    en: "Estimate for the {clips} clips still to make ({seconds} s)",
  },
  costNoEstimate: { he: "אין הערכה", en: "No estimate" },
  costModel: { he: "מודל", en: "Model" },
  withinCap: { he: "בתוך התקרה", en: "Within the cap" },
  overCap: { he: "חורג מהתקרה", en: "Over the cap" },
  shotNumber: { he: "שוט {n}", en: "Shot {n}" },
  secondsShort: { he: "{seconds} ש׳", en: "{seconds} s" },

  // Render history
  historyTitle: { he: "היסטוריית רינדורים", en: "Render history" },
  historyEmpty: { he: "אין עדיין רינדורים", en: "No renders yet" },
  historyLoading: { he: "טוען היסטוריה…", en: "Loading the history…" },
  historyCoverage: { he: "כיסוי", en: "coverage" },

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

/** Hebrew and English labels for each stage of a render. */
export const renderStageLabels = {
  planning: { he: "תכנון", en: "Planning" },
  conforming: { he: "הכנת הקטעים", en: "Conforming segments" },
  joining: { he: "חיבור הקטעים", en: "Joining" },
  muxing: { he: "שילוב הפסקול", en: "Muxing the soundtrack" },
  done: { he: "הסתיים", en: "Done" },
  failed: { he: "נכשל", en: "Failed" },
} satisfies Record<string, Entry>;

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

/** The label of a render stage; a stage the UI does not know is shown raw. */
export function renderStageLabel(stage: string): string {
  return Object.prototype.hasOwnProperty.call(renderStageLabels, stage)
    ? renderStageLabels[stage as keyof typeof renderStageLabels][current]
    : stage;
}

/** The label of a render mode (animatic / final); another mode is shown raw. */
export function renderModeLabel(mode: string): string {
  if (mode === "animatic") return t("renderAnimatic");
  if (mode === "final") return t("renderFinal");
  return mode;
}
