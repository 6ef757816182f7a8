// An analysis as the gateway serialises core's `Analysis`, shaped like the demo song's
// (demo/song/timing.json): a 72 s lullaby at 100 BPM whose verse opens at 9.6 s with
// "תודה לך / על היום הזה", an intro without words before it and a chorus after.

const rhythm = (tempoBpm: number, beatStrength: number, onsetDensity: number) => ({ tempoBpm, beatStrength, onsetDensity });
const atmosphere = (energy: number, valence: number, brightness: number, loudnessDb: number) => ({
  energy,
  valence,
  brightness,
  loudnessDb,
});

export function analysisJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    analysisId: "0b7e3c1a-5d2f-4a8e-9c61-3f0a2b4c5d6e",
    projectId: "p1",
    songSha256: "ab".repeat(32),
    durationMs: 72_000,
    parts: [
      { label: "intro", timestamps: { startMs: 0, endMs: 9_600 }, rhythm: rhythm(0, 0.12, 0.8), atmosphere: atmosphere(0.2, 0.3, 0.35, -24.5) },
      { label: "verse 1", timestamps: { startMs: 9_600, endMs: 28_800 }, rhythm: rhythm(100, 0.81, 2.4), atmosphere: atmosphere(0.35, 0.5, 0.42, -16.2) },
      { label: "chorus", timestamps: { startMs: 28_800, endMs: 48_000 }, rhythm: rhythm(100, 0.9, 3.1), atmosphere: atmosphere(0.62, 0.8, 0.55, -12.0) },
    ],
    moments: [
      { timestamps: { startMs: 9_600, endMs: 10_200 }, words: "תודה לך", part: 1, rhythm: rhythm(100, 0.8, 2.0), atmosphere: atmosphere(0.3, 0.6, 0.4, -17.1) },
      { timestamps: { startMs: 10_200, endMs: 13_800 }, words: "על היום הזה", part: 1, rhythm: rhythm(100, 0.78, 2.2), atmosphere: atmosphere(0.32, 0.55, 0.41, -16.8) },
      { timestamps: { startMs: 28_800, endMs: 31_250 }, words: "לילה טוב", part: 2, rhythm: rhythm(100, 0.92, 3.0), atmosphere: atmosphere(0.6, -0.25, 0.5, -12.4) },
    ],
    beatsMs: [0, 600, 1200],
    createdAt: "2025-03-02T09:15:00Z",
    ...overrides,
  };
}
