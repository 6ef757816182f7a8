"""librosa's beat tracker on the same files `miri-bench` gives Miri, for the beats part.

    librosa_beats.py RUNS FILE...

For each file, RUNS times: `librosa.load` at librosa's default 22.05 kHz mono, then
`librosa.beat.beat_track`, timed together (decode + tracking, as Miri's figure is); the import
and anything before the first file are not timed. Prints one JSON object on stdout:
{"version", "files": [{"file", "tempo_bpm", "beats_s", "seconds": [per run]}]}.
"""

import json
import sys
import time

import librosa
import numpy as np


def main() -> None:
    runs = int(sys.argv[1])
    files = []
    for path in sys.argv[2:]:
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            y, sr = librosa.load(path, sr=22050, mono=True)
            tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
            seconds.append(time.perf_counter() - started)
        files.append(
            {
                "file": path,
                "tempo_bpm": float(np.atleast_1d(tempo)[0]),
                "beats_s": [float(b) for b in beats],
                "seconds": seconds,
            }
        )
    json.dump({"version": librosa.__version__, "files": files}, sys.stdout)


if __name__ == "__main__":
    main()
