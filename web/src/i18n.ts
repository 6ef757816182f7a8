// Every user-visible string of the web UI lives here, Hebrew first with the
// English text beside it. The UI is Hebrew (right-to-left) by default; an
// English toggle will only need to call setLocale("en"). A view with a
// language of its own (the chat's toggle) reads its strings with translate().

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
  generate: { he: "יצירה", en: "Generate" },
  generateHint: { he: "יצירת התמונה של השוט", en: "Make the shot's still" },
  generateAgainHint: { he: "יצירת התמונה מחדש אחרי הכישלון", en: "Make the still again after the failure" },
  refine: { he: "שיפור", en: "Refine" },
  refineHint: {
    he: "שינוי אחד שמתחיל בפועל, עד 15 מילים — למשל „שנה את השמיים לכתום של שקיעה”",
    en: "One change, starting with its verb, at most 15 words — e.g. “Change the sky to dusk orange”",
  },
  refineCommandLabel: { he: "פקודת העריכה לתמונה", en: "Edit command for the still" },
  refineCommandRequired: { he: "יש לכתוב את פקודת העריכה", en: "Write the edit command" },
  refineConfirm: { he: "שיפור התמונה", en: "Refine the still" },
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

  // Version browser
  versionsButton: { he: "גרסאות", en: "Versions" },
  versionsTitle: { he: "גרסאות — {shot}", en: "Versions — {shot}" },
  versionsLoading: { he: "טוען גרסאות…", en: "Loading the versions…" },
  versionsEmpty: { he: "לשוט הזה אין עדיין גרסאות", en: "This shot has no versions yet" },
  versionsList: { he: "כל הגרסאות, מהחדשה לישנה", en: "Every version, newest first" },
  versionsNewer: { he: "חדשה יותר", en: "Newer" },
  versionsOlder: { he: "ישנה יותר", en: "Older" },
  versionsPosition: { he: "גרסה {n} מתוך {total}", en: "Version {n} of {total}" },
  kindPrompt: { he: "פרומפט", en: "Prompt" },
  kindImage: { he: "סטיל", en: "Still" },
  kindVideo: { he: "קליפ", en: "Clip" },
  kindEdit: { he: "עריכה", en: "Edit" },
  kindAudit: { he: "ביקורת", en: "Audit" },
  kindRender: { he: "רינדור", en: "Render" },
  kindTranslation: { he: "תרגום", en: "Translation" },
  authorUser: { he: "משתמש", en: "A user" },
  authorLlm: { he: "מודל שפה", en: "A language model" },
  authorSystem: { he: "המערכת", en: "The system" },
  versionWho: { he: "מי", en: "Who" },
  versionWhy: { he: "למה", en: "Why" },
  versionNoReason: { he: "לא נרשמה סיבה", en: "No reason recorded" },
  versionFrom: { he: "נוצרה מ־", en: "Made from" },
  versionCostEstimated: { he: "{cost} (הערכה)", en: "{cost} (estimate)" },
  versionHebrew: { he: "בעברית", en: "In Hebrew" },
  versionNoHebrew: { he: "אין תרגום לעברית", en: "No Hebrew translation" },
  versionRequest: { he: "הבקשה שנשלחה (JSON)", en: "The request sent (JSON)" },
  versionPromptText: { he: "הטקסט שנשלח", en: "The text sent" },
  imageLoading: { he: "טוען תמונה…", en: "Loading the image…" },
  imageError: { he: "לא ניתן לטעון את התמונה: {message}", en: "The image could not be loaded: {message}" },
  openFullSize: { he: "פתיחה בגודל מלא", en: "Open full size" },

  // Scenes and their reference images
  scenesLoading: { he: "טוען סצנות…", en: "Loading the scenes…" },
  scenesNone: {
    he: "עדיין אין פירוק לסצנות. הסצנות ותמונות הייחוס שלהן (רקע, תלבושת, אביזרים) נוצרות כשמפרקים את השיר לסצנות, אחרי ניתוח השיר.",
    en: "No scene breakdown yet. Scenes and their reference images (background, outfit, props) are made when the song is broken into scenes, after its analysis.",
  },
  sceneNumber: { he: "סצנה {n}", en: "Scene {n}" },
  sceneBackground: { he: "רקע", en: "Background" },
  sceneOutfit: { he: "תלבושת", en: "Outfit" },
  sceneProps: { he: "אביזרים", en: "Props" },
  sceneNoProps: { he: "אין אביזרים", en: "No props" },
  sceneReferences: { he: "תמונות ייחוס", en: "Reference images" },
  sceneNoReferences: { he: "עדיין אין תמונות ייחוס", en: "No reference images yet" },
  referenceProp: { he: "אביזר: {name}", en: "Prop: {name}" },
  referencePending: { he: "עדיין לא נוצרה", en: "Not made yet" },

  // Provider health
  healthTitle: { he: "ספקים", en: "Providers" },
  healthLoading: { he: "בודק את הספקים…", en: "Checking the providers…" },
  healthUp: { he: "תקין", en: "Up" },
  healthDegraded: { he: "חלקי", en: "Degraded" },
  healthDown: { he: "מושבת", en: "Down" },
  healthUnknown: { he: "אין דיווח", en: "No report" },
  healthFailures: { he: "{rate} כשלים", en: "{rate} failing" },
  healthRetryIn: { he: "ניסיון חוזר בעוד {seconds} ש׳", en: "retry in {seconds} s" },
  healthLastError: { he: "שגיאה אחרונה:", en: "Last error:" },
  healthUnavailable: { he: "מצב הספקים לא זמין: {message}", en: "Provider health is unavailable: {message}" },

  // Budget
  budgetTitle: { he: "תקציב", en: "Budget" },
  budgetLoading: { he: "טוען תקציב…", en: "Loading the budget…" },
  budgetAvailable: { he: "פנוי", en: "Available" },
  budgetUsed: { he: "ניצול התקציב", en: "Budget used" },
  budgetUsedText: {
    he: "{spent} שולם ו־{reserved} שמור מתוך {cap}",
    en: "{spent} spent and {reserved} reserved of {cap}",
  },
  budgetWaiting: {
    he: "{count} קריאות ממתינות לתקציב; הגדלת התקרה תחדש אותן",
    en: "{count} calls wait for budget; raising the cap resumes them",
  },
  budgetCapLabel: { he: "תקרה חדשה (דולר)", en: "New cap (USD)" },
  budgetCapSave: { he: "עדכון התקרה", en: "Set the cap" },
  budgetCapInvalid: {
    he: "יש להזין סכום בדולרים בין 0 ל־{max}, עם עד שתי ספרות אחרי הנקודה",
    en: "Enter an amount in dollars between 0 and {max}, with at most two decimals",
  },
  budgetCapSaved: { he: "התקרה עודכנה ל־{cap}", en: "The cap is now {cap}" },
  budgetCapResumed: { he: "{count} שוטים חזרו לעבודה", en: "{count} shots resumed" },
  budgetCapError: { he: "התקרה לא עודכנה: {message}", en: "The cap was not set: {message}" },

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

  // New project: the song upload
  newProject: { he: "פרויקט חדש", en: "New project" },
  newProjectTitle: { he: "פרויקט חדש: העלאת שיר", en: "New project: upload a song" },
  projectNameLabel: { he: "שם הפרויקט", en: "Project name" },
  songFileLabel: { he: "קובץ השיר (MP3)", en: "Song file (MP3)" },
  chooseSong: { he: "בחירת קובץ…", en: "Choose a file…" },
  noSongChosen: { he: "לא נבחר קובץ", en: "No file chosen" },
  lyricsLabel: { he: "מילות השיר", en: "Lyrics" },
  lyricsHint: {
    he: "שורה לכל שורה מושרת, ושורה ריקה בין חלקי השיר",
    en: "One sung line per line, and a blank line between the song's sections",
  },
  plotLabel: { he: "עלילה", en: "Plot" },
  plotHint: {
    he: "מה קורה בקליפ: הדמויות, המקום והמהלך",
    en: "What happens in the video: its characters, place and arc",
  },
  analyseAfterUpload: {
    he: "להתחיל את ניתוח השיר מיד אחרי ההעלאה",
    en: "Start the song analysis right after the upload",
  },
  uploadSubmit: { he: "העלאה ויצירת הפרויקט", en: "Upload and create the project" },
  uploadCancel: { he: "ביטול ההעלאה", en: "Cancel the upload" },
  uploadProgressLabel: { he: "התקדמות ההעלאה", en: "Upload progress" },
  uploadSending: { he: "מעלה את השיר: {sent} מתוך {total}", en: "Uploading the song: {sent} of {total}" },
  uploadChecking: {
    he: "השיר הועלה. השרת בודק אותו ויוצר את הפרויקט…",
    en: "Uploaded. The server is checking the song and creating the project…",
  },
  uploadCancelled: { he: "ההעלאה בוטלה, והפרויקט לא נוצר.", en: "The upload was cancelled; no project was made." },
  nameRequired: { he: "יש לתת שם לפרויקט", en: "Give the project a name" },
  songRequired: { he: "יש לבחור את קובץ ה־MP3 של השיר", en: "Choose the song's MP3 file" },
  uploadTooLarge: { he: "הקובץ גדול מהמותר בשרת", en: "The file is larger than the server accepts" },
  uploadBadSong: { he: "השרת דחה את קובץ השיר", en: "The server refused the song file" },
  uploadBadForm: { he: "השרת דחה את הטופס", en: "The server refused the form" },
  uploadFailed: { he: "ההעלאה נכשלה", en: "The upload failed" },
  uploadNetworkError: {
    he: "ההעלאה נקטעה בלי תשובה מהשרת: החיבור נפל, או שהקובץ גדול מהמותר והשרת סגר את החיבור.",
    en: "The upload was cut off with no answer: the connection dropped, or the file is over the server's limit and it closed the connection.",
  },

  // Song analysis
  analysisTitle: { he: "ניתוח השיר", en: "Song analysis" },
  analysisLoading: { he: "טוען את ניתוח השיר…", en: "Loading the song analysis…" },
  analysisNone: {
    he: "לשיר של הפרויקט עדיין אין ניתוח. הניתוח מחלק את השיר לחלקים (בית, פזמון…) ולרגעים של שתיים־שלוש מילים, עם הקצב והאווירה של כל אחד — ועליהם נחתכים השוטים.",
    en: "The project's song has no analysis yet. The analysis splits the song into Parts (verse, chorus…) and Moments of two or three words, each with its rhythm and atmosphere — the shots are cut on them.",
  },
  analysisStart: { he: "התחלת ניתוח השיר", en: "Start the song analysis" },
  analysisAgain: { he: "ניתוח מחדש", en: "Analyse again" },
  analysisStarting: { he: "מתחיל ניתוח…", en: "Starting the analysis…" },
  analysisStepsLabel: { he: "שלבי הניתוח", en: "Analysis steps" },
  analysisAnswer: { he: "תשובה {n} של המודל", en: "the model's answer {n}" },
  analysisRefused: { he: "תשובות שנדחו: {count}. האחרונה: {reason}", en: "Answers refused: {count}. The last: {reason}" },
  analysisFailed: { he: "הניתוח נכשל: {message}", en: "The analysis failed: {message}" },
  analysisParts: { he: "חלקים", en: "Parts" },
  analysisMoments: { he: "רגעים", en: "Moments" },
  analysisDuration: { he: "משך השיר", en: "Song length" },
  analysisMade: { he: "מועד הניתוח", en: "Analysed" },
  analysisTableCaption: { he: "חלקי השיר והרגעים בכל חלק", en: "The song's Parts and the Moments in each" },
  colPartWords: { he: "חלק / מילים", en: "Part / words" },
  colTempo: { he: "קצב (BPM)", en: "Tempo (BPM)" },
  colBeat: { he: "חוזק הפעמה", en: "Beat strength" },
  colOnsets: { he: "אונסטים לשנייה", en: "Onsets per second" },
  colEnergy: { he: "אנרגיה", en: "Energy" },
  colValence: { he: "ערכיות", en: "Valence" },
  colBrightness: { he: "בהירות", en: "Brightness" },
  colLoudness: { he: "עוצמה (dB)", en: "Loudness (dB)" },
  beatHint: { he: "0 עד 1: כמה חזק מורגשת הפעמה", en: "0 to 1: how strongly the beat is felt" },
  energyHint: { he: "0 רגוע עד 1 עוצמתי", en: "0 calm to 1 intense" },
  valenceHint: { he: "\u200E−1 עצוב עד 1 שמח", en: "−1 sad to 1 joyful" },
  brightnessHint: { he: "0 כהה עד 1 בהיר", en: "0 dark to 1 bright" },
  noSteadyBeat: { he: "אין פעמה קבועה", en: "No steady beat" },
  noMoments: { he: "אין מילים מושרות בחלק הזה", en: "No words are sung in this part" },
  playFrom: { he: "השמעה מ־{time}", en: "Play from {time}" },
  songPlayerLabel: { he: "השיר", en: "The song" },
  loadSong: { he: "השמעת השיר", en: "Play the song" },
  songLoading: { he: "טוען את השיר…", en: "Loading the song…" },
  songError: { he: "לא ניתן לטעון את השיר: {message}", en: "The song could not be loaded: {message}" },

  // Chat: conversations with the models, side by side
  chatTitle: { he: "שיחות", en: "Conversations" },
  chatLanguage: { he: "שפת הממשק של השיחות", en: "Chat interface language" },
  chatLangHe: { he: "עברית", en: "עברית" },
  chatLangEn: { he: "English", en: "English" },
  chatLoading: { he: "טוען שיחות…", en: "Loading the conversations…" },
  chatReadListError: { he: "לא ניתן לקרוא את השיחות: {message}", en: "The conversations could not be read: {message}" },
  chatNone: {
    he: "אין עדיין שיחות בפרויקט. ראיון סיפור מגבש עם המודל את העלילה לתסריט; שיחת QA על שוט מציעה תיקון לתמונה שממתינה לאישור; שיחה כללית מציעה את פעולות הלוח, ואתם מריצים אותן.",
    en: "No conversations yet. A story interview shapes the plot into a script with the model; a QA conversation on a shot proposes a fix for the still awaiting approval; a general conversation proposes the dashboard's actions, for you to run.",
  },
  chatList: { he: "השיחות בפרויקט", en: "The project's conversations" },
  chatColumns: { he: "שיחות פתוחות", en: "Open conversations" },
  chatNoneOpen: {
    he: "בחרו שיחה מהרשימה כדי לפתוח אותה כאן; אפשר לפתוח כמה שיחות זו לצד זו.",
    en: "Pick a conversation from the list to open it here; several can be open side by side.",
  },
  chatNew: { he: "שיחה חדשה", en: "New conversation" },
  chatTopic: { he: "נושא", en: "Topic" },
  topicStory: { he: "ראיון סיפור", en: "Story interview" },
  topicShotQa: { he: "QA על שוט", en: "QA on a shot" },
  topicGeneral: { he: "כללית", en: "General" },
  chatShot: { he: "השוט", en: "Shot" },
  chatChooseShot: { he: "בחירת שוט…", en: "Choose a shot…" },
  chatNoShots: { he: "אין שוטים בפרויקט, ושיחת QA היא על שוט", en: "The project has no shots, and a QA conversation is about one" },
  chatShotRequired: { he: "יש לבחור את השוט שהשיחה עליו", en: "Choose the shot the conversation is about" },
  chatTitleLabel: { he: "כותרת (לא חובה)", en: "Title (optional)" },
  chatDefaultStory: { he: "ראיון סיפור", en: "Story interview" },
  chatDefaultQa: { he: "QA — שוט {n}", en: "QA — shot {n}" },
  chatDefaultGeneral: { he: "שיחה כללית", en: "General conversation" },
  chatCreate: { he: "פתיחת השיחה", en: "Start the conversation" },
  chatCreateError: { he: "השיחה לא נפתחה: {message}", en: "The conversation was not started: {message}" },
  chatClose: { he: "סגירת השיחה", en: "Close the conversation" },
  chatReading: { he: "טוען את השיחה…", en: "Loading the conversation…" },
  chatReadError: { he: "לא ניתן לקרוא את השיחה: {message}", en: "The conversation could not be read: {message}" },
  chatEmpty: { he: "עוד אין הודעות. כתבו את ההודעה הראשונה.", en: "No messages yet. Write the first one." },
  chatGeneralNotice: {
    he: "בשיחה כללית העוזר יכול להציע כל פעולה של הלוח — יצירה, אישור, דחייה, שיפור, רינדור ותקרת התקציב. שום דבר לא רץ מעצמו: כל פעולה מוצגת בכרטיס, ואתם מריצים אותה.",
    en: "In a general conversation the assistant may propose any of the dashboard's actions — generate, approve, reject, refine, render and the budget cap. Nothing runs by itself: each is shown on a card, for you to run.",
  },
  speakerUser: { he: "אני", en: "You" },
  speakerAssistant: { he: "העוזר", en: "Assistant" },
  speakerTool: { he: "כלי", en: "Tool" },
  chatThinking: { he: "העוזר כותב…", en: "The assistant is writing…" },
  chatRefusedSoFar: {
    he: "תשובות של המודל שנדחו והוחזרו אליו לתיקון: {count}",
    en: "The model's answers refused and sent back to it: {count}",
  },
  chatNoReply: { he: "לא התקבלה תשובה: {message}. אפשר לכתוב שוב.", en: "No reply came: {message}. You may write again." },
  chatQuestions: { he: "שאלות", en: "Questions" },
  chatFlaws: { he: "פגמים שזוהו", en: "Flaws found" },
  flawLogic: { he: "היגיון", en: "Logic" },
  flawAtmosphere: { he: "אווירה", en: "Atmosphere" },
  chatMessage: { he: "הודעה", en: "Message" },
  chatComposerHint: { he: "Enter לשליחה, Shift+Enter לשורה חדשה", en: "Enter sends, Shift+Enter adds a line" },
  chatSend: { he: "שליחה", en: "Send" },
  chatSending: { he: "נשלחת…", en: "Sending…" },
  chatSendFailed: { he: "ההודעה לא נשלחה: {message}", en: "The message was not sent: {message}" },
  chatRetry: { he: "לשלוח שוב", en: "Send again" },
  chatEdit: { he: "עריכה", en: "Edit" },
  chatChars: { he: "{count} מתוך {max} תווים", en: "{count} of {max} characters" },
  scriptShow: { he: "הצגת התסריט", en: "Show the script" },
  scriptHide: { he: "הסתרת התסריט", en: "Hide the script" },
  scriptLoading: { he: "טוען את התסריט…", en: "Loading the script…" },
  scriptError: { he: "לא ניתן לקרוא את התסריט: {message}", en: "The script could not be read: {message}" },
  scriptVersion: { he: "תסריט, גרסה {n}", en: "Script, version {n}" },
  scriptBeats: { he: "מהלך הסיפור", en: "Beats" },
  scriptFlaws: { he: "פגמים ואיך נפתרו", en: "Flaws and how they were resolved" },
  scriptResolution: { he: "הפתרון: {text}", en: "Resolved: {text}" },
  scriptAccept: { he: "אישור התסריט", en: "Accept the script" },
  scriptAccepted: { he: "אושר על ידי {by}", en: "Accepted by {by}" },
  scriptAcceptError: { he: "התסריט לא אושר: {message}", en: "The script was not accepted: {message}" },
  proposalTitle: { he: "הצעה לתיקון התמונה", en: "Proposed fix for the still" },
  proposalEdit: { he: "פקודת עריכה", en: "Edit command" },
  proposalPrompt: { he: "פרומפט מתוקן", en: "Corrected prompt" },
  proposalHebrew: { he: "בעברית", en: "In Hebrew" },
  proposalApply: { he: "החלת ההצעה", en: "Apply the proposal" },
  proposalApplied: { he: "הוחלה על ידי {by}", en: "Applied by {by}" },
  proposalAlready: { he: "ההצעה כבר הוחלה קודם", en: "The proposal had already been applied" },
  proposalApplyError: { he: "ההצעה לא הוחלה: {message}", en: "The proposal was not applied: {message}" },
  toolCallsTitle: { he: "פעולות שהעוזר מציע", en: "Actions the assistant proposes" },
  toolGenerate: { he: "יצירת שוט {n}", en: "Generate shot {n}" },
  toolApprove: { he: "אישור שוט {n}", en: "Approve shot {n}" },
  toolReject: { he: "דחיית שוט {n}", en: "Reject shot {n}" },
  toolRefine: { he: "שיפור שוט {n}", en: "Refine shot {n}" },
  toolRenderAnimatic: { he: "רינדור אנימטיק", en: "Render an animatic" },
  toolRenderAnimaticOverlay: { he: "רינדור אנימטיק עם שכבת מידע צרובה", en: "Render an animatic with the overlay burned in" },
  toolRenderFinal: { he: "רינדור סופי של הסרט", en: "Render the final film" },
  toolSetBudgetCap: { he: "עדכון תקרת התקציב ל־{cap}", en: "Set the budget cap to {cap}" },
  toolReason: { he: "הסיבה:", en: "Reason:" },
  toolCommand: { he: "פקודת העריכה:", en: "Edit command:" },
  toolCommandHebrew: { he: "בעברית:", en: "In Hebrew:" },
  toolUnknown: { he: "כלי לא מוכר: {name}", en: "Unknown tool: {name}" },
  toolUnknownHint: {
    he: "הלוח לא יודע להריץ את הקריאה הזאת כפי שהגיעה, ולכן היא לא תורץ",
    en: "The dashboard cannot run this call as it came, so it will not be run",
  },
  toolRun: { he: "הרצה", en: "Run" },
  toolRunning: { he: "מריץ…", en: "Running…" },
  toolDone: { he: "✓ בוצע", en: "✓ Done" },
  toolRunError: { he: "הפעולה לא בוצעה: {message}", en: "The action was not carried out: {message}" },
  qaButton: { he: "QA", en: "QA" },
  qaButtonHint: { he: "שיחת QA על השוט", en: "QA conversation on the shot" },

  // Keys and members
  keysTitle: { he: "מפתחות וחברים", en: "Keys and members" },
  keysLoading: { he: "טוען הרשאות…", en: "Loading access…" },
  keysYou: { he: "את/ה מחובר/ת כ־„{label}” · {role}", en: "You are signed in as “{label}” · {role}" },
  keysYouAdmin: { he: "בעלים של הסטודיו", en: "Studio owner" },
  keysListTitle: { he: "מפתחות API", en: "API keys" },
  keysListHint: {
    he: "מפתח נותן לאינטגרציה גישה לפרויקט הזה בלבד, בתפקיד שנבחר לו",
    en: "A key gives an integration access to this project only, with the role chosen for it",
  },
  keysListLoading: { he: "טוען מפתחות…", en: "Loading keys…" },
  keysNone: { he: "אין עדיין מפתחות לפרויקט", en: "This project has no keys yet" },
  keysColLabel: { he: "תיאור", en: "Label" },
  keysColRole: { he: "תפקיד", en: "Role" },
  keysColCreated: { he: "נוצר", en: "Created" },
  keysColState: { he: "מצב", en: "State" },
  keysBy: { he: "על ידי {name}", en: "by {name}" },
  keysActive: { he: "פעיל", en: "Active" },
  keysRevokedAt: { he: "נשלל", en: "Revoked" },
  keysRevoke: { he: "שלילת המפתח", en: "Revoke the key" },
  keysRevokeQuestion: {
    he: "לשלול את המפתח „{label}”? כל מי שמשתמש בו יאבד מיד את הגישה לפרויקט, ואי אפשר לבטל את השלילה.",
    en: "Revoke the key “{label}”? Whoever uses it loses access to the project at once, and it cannot be undone.",
  },
  keysRevokeConfirm: { he: "כן, לשלול את המפתח", en: "Yes, revoke the key" },
  keysRevokeError: { he: "המפתח לא נשלל: {message}", en: "The key was not revoked: {message}" },
  keysIssueTitle: { he: "הנפקת מפתח חדש", en: "Issue a new key" },
  keysLabelLabel: { he: "תיאור המפתח (למה הוא משמש)", en: "Key label (what it is for)" },
  keysRoleLabel: { he: "תפקיד המפתח", en: "Key role" },
  keysIssue: { he: "הנפקת מפתח", en: "Issue the key" },
  keysLabelBlank: { he: "יש לכתוב תיאור: למה המפתח משמש", en: "Write a label: what the key is for" },
  keysLabelLong: { he: "התיאור ארוך מדי (עד {max} תווים)", en: "The label is too long (at most {max} characters)" },
  keysIssueError: { he: "המפתח לא הונפק: {message}", en: "The key was not issued: {message}" },
  keysSecretTitle: { he: "המפתח „{label}” הונפק", en: "The key “{label}” was issued" },
  keysSecretWarning: {
    he: "זו הפעם היחידה שהמפתח הסודי מוצג. יש להעתיק אותו עכשיו ולשמור אותו במקום בטוח: אחרי סגירת החלון לא ניתן יהיה לראות אותו שוב, רק לשלול אותו ולהנפיק מפתח חדש.",
    en: "This is the only time the secret key is shown. Copy it now and keep it somewhere safe: once this window is closed it cannot be seen again, only revoked and replaced by a new key.",
  },
  keysSecretLabel: { he: "המפתח הסודי", en: "Secret key" },
  keysCopy: { he: "העתקה", en: "Copy" },
  keysCopied: { he: "המפתח הועתק", en: "The key was copied" },
  keysCopyFailed: {
    he: "ההעתקה נכשלה; יש לסמן את המפתח ולהעתיק אותו ידנית",
    en: "Copying failed; select the key and copy it by hand",
  },
  keysSecretClose: { he: "שמרתי את המפתח, סגירה", en: "I have saved the key, close" },
  membersTitle: { he: "חברי הפרויקט", en: "Project members" },
  membersNone: { he: "אין עדיין חברים בפרויקט", en: "This project has no members yet" },
  membersUnavailable: { he: "רשימת החברים אינה זמינה", en: "The members list is not available" },
  membersColToken: { he: "אסימון", en: "Token" },
  membersColRole: { he: "תפקיד", en: "Role" },
  membersColGranted: { he: "צורף", en: "Granted" },
  membersYou: { he: "(האסימון שלך)", en: "(your token)" },
  membersAddTitle: { he: "צירוף אסימון סטודיו לפרויקט", en: "Add a studio token to the project" },
  membersRoleLabel: { he: "תפקיד בפרויקט", en: "Role in the project" },
  membersTokenLabel: { he: "מזהה האסימון", en: "Token id" },
  membersTokenHint: {
    he: "64 ספרות הקסדצימליות (ה־SHA-256 של האסימון). למפתח של אינטגרציה יש להנפיק מפתח במקום.",
    en: "64 hex digits (the token's SHA-256). For an integration's key, issue a key instead.",
  },
  membersTokenInvalid: {
    he: "מזהה אסימון הוא 64 ספרות הקסדצימליות (0–9, a–f)",
    en: "A token id is 64 hex digits (0–9, a–f)",
  },
  membersAdd: { he: "צירוף לפרויקט", en: "Add to the project" },
  membersAdded: { he: "האסימון צורף לפרויקט בתפקיד {role}", en: "The token joined the project as {role}" },
  membersKept: {
    he: "האסימון כבר חבר בפרויקט בתפקיד {role}; התפקיד לא שונה",
    en: "The token is already a member, as {role}; its role was not changed",
  },
  membersAddError: { he: "האסימון לא צורף: {message}", en: "The token was not added: {message}" },

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

/** Hebrew and English names of a token's role in a project. */
export const roleLabels = {
  viewer: { he: "צופה", en: "Viewer" },
  editor: { he: "עורך", en: "Editor" },
  owner: { he: "בעלים", en: "Owner" },
} satisfies Record<string, Entry>;

/** The label of a role; a role the UI does not know is shown raw. */
export function roleLabel(role: string): string {
  return Object.prototype.hasOwnProperty.call(roleLabels, role) ? roleLabels[role as keyof typeof roleLabels][current] : role;
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
  return translate(current, key, params);
}

/**
 * The text for `key` in `locale`, for a view whose language is its own (the chat has an
 * English toggle of its own while the rest of the dashboard stays as it is).
 */
export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = messages[key][locale];
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

/** Hebrew and English labels for each stage of a song analysis. */
export const analysisStageLabels = {
  measuring: { he: "מדידת השיר: קצב, פעמות ועוצמה", en: "Measuring the song: tempo, beats and loudness" },
  asking: { he: "המודל מחלק לחלקים ולרגעים", en: "The model splits it into Parts and Moments" },
  done: { he: "הסתיים", en: "Done" },
  failed: { he: "נכשל", en: "Failed" },
} satisfies Record<string, Entry>;

/** The label of an analysis stage; a stage the UI does not know is shown raw. */
export function analysisStageLabel(stage: string): string {
  return Object.prototype.hasOwnProperty.call(analysisStageLabels, stage)
    ? analysisStageLabels[stage as keyof typeof analysisStageLabels][current]
    : stage;
}

/** Hebrew and English names of the song sections the analysis asks the model for. */
export const partLabels = {
  intro: { he: "פתיחה", en: "Intro" },
  verse: { he: "בית", en: "Verse" },
  "pre-chorus": { he: "טרום פזמון", en: "Pre-chorus" },
  chorus: { he: "פזמון", en: "Chorus" },
  "post-chorus": { he: "אחרי הפזמון", en: "Post-chorus" },
  bridge: { he: "גשר", en: "Bridge" },
  instrumental: { he: "קטע כלי", en: "Instrumental" },
  solo: { he: "סולו", en: "Solo" },
  interlude: { he: "מעבר", en: "Interlude" },
  outro: { he: "סיום", en: "Outro" },
} satisfies Record<string, Entry>;

/**
 * A Part's label in the current locale: a known section name, with its number kept ("verse 2"
 * -> "בית 2"); any other label (the model writes them) is shown as it came.
 */
export function partLabel(label: string): string {
  return partLabelIn(current, label);
}

/** A Part's label in `locale`, for a view with a language of its own (the chat). */
export function partLabelIn(locale: Locale, label: string): string {
  const match = /^\s*(.*?)(?:\s+(\d+))?\s*$/.exec(label);
  const base = (match?.[1] ?? "").toLowerCase().replace(/[\s_]+/g, "-");
  if (!Object.prototype.hasOwnProperty.call(partLabels, base)) return label;
  const name = partLabels[base as keyof typeof partLabels][locale];
  return match?.[2] ? `${name} ${match[2]}` : name;
}
