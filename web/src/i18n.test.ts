import { afterEach, describe, expect, it } from "vitest";
import {
  analysisStageLabel,
  analysisStageLabels,
  applyDocumentLocale,
  messages,
  partLabel,
  partLabels,
  renderModeLabel,
  renderStageLabel,
  renderStageLabels,
  roleLabel,
  roleLabels,
  setLocale,
  statusLabel,
  statusLabels,
  t,
} from "./i18n";

afterEach(() => setLocale("he"));

describe("i18n", () => {
  it("is Hebrew by default and sets rtl on the document", () => {
    applyDocumentLocale();
    expect(document.documentElement.lang).toBe("he");
    expect(document.documentElement.dir).toBe("rtl");
    expect(t("approve")).toBe("אישור");
  });

  it("has an English text beside every Hebrew one", () => {
    for (const entry of [
      ...Object.values(messages),
      ...Object.values(statusLabels),
      ...Object.values(renderStageLabels),
      ...Object.values(analysisStageLabels),
      ...Object.values(partLabels),
      ...Object.values(roleLabels),
    ]) {
      expect(entry.he).not.toBe("");
      expect(entry.en).not.toBe("");
    }
  });

  it("fills placeholders and switches locale", () => {
    expect(t("httpError", { status: 500 })).toBe("שגיאת שרת (500)");
    setLocale("en");
    expect(t("httpError", { status: 500 })).toBe("Server error (500)");
    expect(statusLabel("AWAITING_APPROVAL")).toBe("Awaiting approval");
    applyDocumentLocale();
    expect(document.documentElement.dir).toBe("ltr");
  });

  it("names the song's sections, keeping their number, and shows the model's other labels raw", () => {
    expect(["intro", "Verse 2", "pre chorus", "chorus", "outro"].map(partLabel)).toEqual([
      "פתיחה",
      "בית 2",
      "טרום פזמון",
      "פזמון",
      "סיום",
    ]);
    expect(partLabel("the big drop")).toBe("the big drop");
    expect(analysisStageLabel("asking")).toBe("המודל מחלק לחלקים ולרגעים");
    expect(analysisStageLabel("uploading")).toBe("uploading");
    setLocale("en");
    expect(partLabel("bridge 1")).toBe("Bridge 1");
  });

  it("names the roles in a project, showing an unknown one raw", () => {
    expect(["viewer", "editor", "owner", "auditor"].map(roleLabel)).toEqual(["צופה", "עורך", "בעלים", "auditor"]);
    setLocale("en");
    expect(roleLabel("owner")).toBe("Owner");
  });

  it("shows an unknown status raw", () => {
    expect(statusLabel("SOMETHING_NEW")).toBe("SOMETHING_NEW");
  });

  it("labels every render stage and mode, showing unknown ones raw", () => {
    expect(["planning", "conforming", "joining", "muxing", "done", "failed"].map(renderStageLabel)).toEqual([
      "תכנון",
      "הכנת הקטעים",
      "חיבור הקטעים",
      "שילוב הפסקול",
      "הסתיים",
      "נכשל",
    ]);
    expect(renderStageLabel("uploading")).toBe("uploading");
    expect(renderModeLabel("animatic")).toBe("אנימטיק");
    setLocale("en");
    expect(renderModeLabel("final")).toBe("Final render");
    expect(renderStageLabel("muxing")).toBe("Muxing the soundtrack");
  });
});
