// The one progress bar of the dashboard (an upload, a render): a track with a fill, exposed to
// assistive technology as a progressbar from 0 to 100, styled by the block that holds it.

export interface ProgressTrackProps {
  /** The CSS block: the track is `{block}__track`, its fill `{block}__fill`. */
  block: string;
  label: string;
  percent: number;
  valueText?: string;
}

export function ProgressTrack({ block, label, percent, valueText }: ProgressTrackProps) {
  return (
    <div
      className={`${block}__track`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={valueText}
    >
      <div className={`${block}__fill`} style={{ inlineSize: `${percent}%` }} />
    </div>
  );
}
