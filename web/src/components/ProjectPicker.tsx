import { useId } from "react";
import type { Project } from "../api";
import { t } from "../i18n";

export interface ProjectPickerProps {
  projects: Project[];
  selected: string | null;
  onSelect(projectId: string): void;
}

export function ProjectPicker({ projects, selected, onSelect }: ProjectPickerProps) {
  const id = useId();
  if (projects.length === 0) return <p className="muted">{t("noProjects")}</p>;
  const value = selected !== null && projects.some((p) => p.projectId === selected) ? selected : "";
  return (
    <div className="picker">
      <label htmlFor={id}>{t("projectsLabel")}</label>
      <select id={id} value={value} onChange={(e) => e.target.value && onSelect(e.target.value)}>
        <option value="" disabled>
          {t("chooseProject")}
        </option>
        {projects.map((p) => (
          <option key={p.projectId} value={p.projectId}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}
