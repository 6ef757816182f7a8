import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../api";
import { fakeXhrFactory, mp3File } from "../test/fakeXhr";
import { routedFetch } from "../test/fakes";
import { NewProjectForm } from "./NewProjectForm";

function setup() {
  const xhr = fakeXhrFactory();
  const onUnauthorized = vi.fn();
  const api = createApiClient({ getToken: () => "tok-1", fetch: routedFetch({}), xhr: xhr.factory, onUnauthorized });
  const onCreated = vi.fn();
  const onClose = vi.fn();
  render(<NewProjectForm api={api} onCreated={onCreated} onClose={onClose} />);
  return { xhr, onCreated, onClose, onUnauthorized };
}

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const submitButton = () => screen.getByRole("button", { name: "העלאה ויצירת הפרויקט" });
const bar = () => screen.getByRole("progressbar", { name: "התקדמות ההעלאה" });
const percent = () => Number(bar().getAttribute("aria-valuenow"));

/** Fills the form as a director would and sends it. */
function fillAndSend(song = mp3File()) {
  fireEvent.change(field("שם הפרויקט"), { target: { value: "  שיר ערש  " } });
  fireEvent.change(field("קובץ השיר (MP3)"), { target: { files: [song] } });
  fireEvent.change(field("מילות השיר"), { target: { value: "תודה לך על היום הזה\nעל הלחם ועל המים" } });
  fireEvent.change(field("עלילה"), { target: { value: "ילדה נרדמת, והחדר מתמלא כוכבים" } });
  fireEvent.click(submitButton());
}

describe("NewProjectForm", () => {
  it("uploads the song as multipart with the token, moving the bar with the upload's progress", async () => {
    const { xhr, onCreated } = setup();
    fillAndSend();

    const sent = xhr.last;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/api/projects");
    expect(sent.headers.Authorization).toBe("Bearer tok-1");
    expect(sent.body!.get("name")).toBe("שיר ערש");
    expect(sent.body!.get("lyrics")).toBe("תודה לך על היום הזה\nעל הלחם ועל המים");
    expect(sent.body!.get("plot")).toBe("ילדה נרדמת, והחדר מתמלא כוכבים");
    const song = sent.body!.get("song") as File;
    expect(song.name).toBe("שיר ערש.mp3");
    expect(new Uint8Array(await song.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0xff, 0xfb]));

    expect(percent()).toBe(0);
    expect(field("שם הפרויקט").matches(":disabled")).toBe(true);
    act(() => sent.progress(1_048_576, 4_194_304));
    expect(percent()).toBe(25);
    expect(screen.getByText(/מעלה את השיר: .*1\.0 MB.* מתוך .*4\.0 MB/)).toBeTruthy();
    act(() => sent.progress(3_950_000, 4_194_304));
    expect(percent()).toBe(94);

    // Every byte sent: the server is checking; too late to cancel.
    act(() => sent.progress(4_194_304, 4_194_304));
    expect(percent()).toBe(100);
    expect(screen.getByText("השיר הועלה. השרת בודק אותו ויוצר את הפרויקט…")).toBeTruthy();
    expect((screen.getByRole("button", { name: "ביטול ההעלאה" }) as HTMLButtonElement).disabled).toBe(true);

    await act(async () => sent.respond(201, { projectId: "p9" }));
    expect(onCreated).toHaveBeenCalledWith("p9", true);
    expect(screen.queryByRole("progressbar")).toBeNull();
  });

  it("asks for no analysis when its box is cleared", async () => {
    const { xhr, onCreated } = setup();
    fireEvent.click(screen.getByLabelText("להתחיל את ניתוח השיר מיד אחרי ההעלאה"));
    fillAndSend();
    await act(async () => xhr.last.respond(201, { projectId: "p9" }));
    expect(onCreated).toHaveBeenCalledWith("p9", false);
  });

  it.each([
    [413, "the upload is larger than the limit: length limit exceeded", "הקובץ גדול מהמותר בשרת"],
    [422, "the song file is not an MP3: no MPEG audio frame where one must start", "השרת דחה את קובץ השיר"],
    [400, "song (an MP3 file) is required", "השרת דחה את הטופס"],
  ])("shows a %i with what the server said, and lets the form be sent again", async (status, message, title) => {
    const { xhr, onCreated } = setup();
    fillAndSend();
    act(() => xhr.last.progress(4096, 4096));
    await act(async () => xhr.last.respond(status, { error: { code: "x", message } }));

    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain(title);
    expect(alert.textContent).toContain(message);
    expect(onCreated).not.toHaveBeenCalled();
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(field("שם הפרויקט").value).toBe("  שיר ערש  ");

    fireEvent.click(submitButton());
    expect(xhr.made).toHaveLength(2);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("names a 413 without the API's body (a proxy's page) by its status", async () => {
    const { xhr } = setup();
    fillAndSend();
    await act(async () => xhr.last.respond(413, "<html><body>413 Request Entity Too Large</body></html>"));
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("הקובץ גדול מהמותר בשרת");
    expect(alert.textContent).toContain("שגיאת שרת (413)");
  });

  it("says the upload was cut off when no answer came", async () => {
    const { xhr } = setup();
    fillAndSend();
    act(() => xhr.last.progress(2048, 4096));
    await act(async () => xhr.last.fail());
    expect(screen.getByRole("alert").textContent).toContain("ההעלאה נקטעה בלי תשובה מהשרת");
  });

  it("cancels a running upload: the request is aborted and nothing is made", async () => {
    const { xhr, onCreated } = setup();
    fillAndSend();
    act(() => xhr.last.progress(1024, 4096));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "ביטול ההעלאה" })));

    expect(xhr.last.aborted).toBe(true);
    expect(screen.getByText("ההעלאה בוטלה, והפרויקט לא נוצר.")).toBeTruthy();
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(field("שם הפרויקט").matches(":disabled")).toBe(false);
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("asks for the name and the song before sending anything", () => {
    const { xhr, onClose } = setup();
    fireEvent.change(field("שם הפרויקט"), { target: { value: "   " } });
    fireEvent.click(submitButton());
    expect(screen.getByText("יש לתת שם לפרויקט")).toBeTruthy();
    expect(screen.getByText("יש לבחור את קובץ ה־MP3 של השיר")).toBeTruthy();
    expect(field("שם הפרויקט").getAttribute("aria-invalid")).toBe("true");
    expect(xhr.made).toHaveLength(0);

    fireEvent.click(screen.getByRole("button", { name: "ביטול" }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("shows the chosen file's name and size", () => {
    setup();
    fireEvent.change(field("קובץ השיר (MP3)"), { target: { files: [mp3File("lullaby.mp3", 3 * 1024 * 1024)] } });
    expect(screen.getByText("lullaby.mp3")).toBeTruthy();
    expect(screen.getByText("3.0 MB")).toBeTruthy();
  });

  it("hands a 401 to the session and shows no error of its own", async () => {
    const { xhr, onUnauthorized } = setup();
    fillAndSend();
    await act(async () => xhr.last.respond(401, { error: { code: "unauthorized", message: "missing or invalid bearer token" } }));
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
