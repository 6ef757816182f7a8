"""The final render as the seed first wrote it, with moviepy (1.0.3): one VideoFileClip per shot,
cut to the shot's length and resized to the output size, concatenated, the song set under it,
written at 24 fps with libx264 at the same preset and crf as render/src/encoder.rs.

    moviepy_render.py SHOTS_JSON SONG OUT PRESET CRF

SHOTS_JSON is a list of {"media": path, "startMs": n, "endMs": n}, in order. `miri-bench` runs
it with IMAGEIO_FFMPEG_EXE=/usr/bin/ffmpeg so moviepy uses Debian's ffmpeg, as the other two do.
"""

import json
import sys

from moviepy.editor import AudioFileClip, VideoFileClip, concatenate_videoclips


def main() -> None:
    shots_json, song, out, preset, crf = sys.argv[1:6]
    with open(shots_json) as f:
        shots = json.load(f)
    clips = []
    for shot in shots:
        length = (shot["endMs"] - shot["startMs"]) / 1000
        clip = VideoFileClip(shot["media"], audio=False)
        clips.append(clip.subclip(0, min(length, clip.duration)).resize((1280, 720)))
    video = concatenate_videoclips(clips).set_audio(AudioFileClip(song))
    video.write_videofile(
        out,
        fps=24,
        codec="libx264",
        preset=preset,
        ffmpeg_params=["-crf", crf, "-profile:v", "high", "-bf", "0"],
        audio_codec="aac",
        audio_bitrate="192k",
        threads=2,
        logger=None,
    )


if __name__ == "__main__":
    main()
