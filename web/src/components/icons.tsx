import type { SVGProps } from "react";

/** Simple line icons drawn for Beacon: 24×24 grid, 1.75 stroke, currentColor. */
type IconProps = SVGProps<SVGSVGElement> & { size?: number; title?: string };

function Svg({ size = 20, title, children, ...rest }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.75}
      strokeLinecap="round" strokeLinejoin="round" aria-hidden={title ? undefined : true} role={title ? "img" : undefined}
      focusable="false" {...rest}>
      {title ? <title>{title}</title> : null}
      {children}
    </svg>
  );
}

/** The Beacon brand mark: a lighthouse inside a compass ring, its beam in gold. */
export function BrandMark({ size = 32, title = "Beacon" }: { size?: number; title?: string }) {
  return (
    <svg width={size} height={size} viewBox="0 0 48 48" role="img" aria-label={title} focusable="false">
      <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" strokeWidth="2" opacity="0.9" />
      <path d="M24 1.5v5M24 41.5v5M1.5 24h5M41.5 24h5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      <path d="M27.5 15.5l9-4M20.5 15.5l-9-4" stroke="var(--brand-gold-500)" strokeWidth="2" strokeLinecap="round" />
      <path d="M21 12h6v5h-6z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
      <path d="M22 9.5h4L24 7.5z" fill="currentColor" />
      <path d="M19.5 37l2-20h5l2 20z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
      <path d="M20.6 26h6.8M20.1 31.5h7.8" stroke="currentColor" strokeWidth="1.6" />
      <path d="M15 37h18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

export const IconCreate = (p: IconProps) => <Svg {...p}><path d="M12 20h9" /><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z" /></Svg>;
export const IconJobs = (p: IconProps) => <Svg {...p}><path d="M8 6h13M8 12h13M8 18h13" /><path d="M3.5 6h.01M3.5 12h.01M3.5 18h.01" /></Svg>;
export const IconLibrary = (p: IconProps) => <Svg {...p}><rect x="3" y="4" width="7" height="7" rx="1.5" /><rect x="14" y="4" width="7" height="7" rx="1.5" /><rect x="3" y="14" width="7" height="7" rx="1.5" /><rect x="14" y="14" width="7" height="7" rx="1.5" /></Svg>;
export const IconLive = (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="2" /><path d="M7.8 16.2a6 6 0 0 1 0-8.4M16.2 7.8a6 6 0 0 1 0 8.4M4.9 19.1a10 10 0 0 1 0-14.2M19.1 4.9a10 10 0 0 1 0 14.2" /></Svg>;
export const IconSettings = (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="3" /><path d="M12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1L7 17M17 7l2.1-2.1" /></Svg>;
export const IconPlay = (p: IconProps) => <Svg {...p}><path d="M7 4.5v15l12-7.5z" /></Svg>;
export const IconPause = (p: IconProps) => <Svg {...p}><path d="M8 5v14M16 5v14" /></Svg>;
export const IconVolume = (p: IconProps) => <Svg {...p}><path d="M4 9v6h4l5 4V5L8 9z" /><path d="M16.5 8.5a5 5 0 0 1 0 7" /></Svg>;
export const IconMute = (p: IconProps) => <Svg {...p}><path d="M4 9v6h4l5 4V5L8 9z" /><path d="M17 9l5 6M22 9l-5 6" /></Svg>;
export const IconCaptions = (p: IconProps) => <Svg {...p}><rect x="3" y="5" width="18" height="14" rx="2.5" /><path d="M10 10.5a2 2 0 1 0 0 3M16 10.5a2 2 0 1 0 0 3" /></Svg>;
export const IconAudio = (p: IconProps) => <Svg {...p}><path d="M3 12h2M7 8v8M11 5v14M15 9v6M19 11v2" /></Svg>;
export const IconChapters = (p: IconProps) => <Svg {...p}><path d="M4 6h16M4 12h10M4 18h13" /><circle cx="19" cy="12" r="1.5" /></Svg>;
export const IconFullscreen = (p: IconProps) => <Svg {...p}><path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" /></Svg>;
export const IconPip = (p: IconProps) => <Svg {...p}><rect x="3" y="5" width="18" height="14" rx="2" /><rect x="12" y="12" width="7" height="5" rx="1" /></Svg>;
export const IconSpeed = (p: IconProps) => <Svg {...p}><path d="M12 14l4-5" /><path d="M4.5 18a9 9 0 1 1 15 0" /></Svg>;
export const IconTrash = (p: IconProps) => <Svg {...p}><path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" /></Svg>;
export const IconDownload = (p: IconProps) => <Svg {...p}><path d="M12 4v11M7 10l5 5 5-5M5 20h14" /></Svg>;
export const IconDrag = (p: IconProps) => <Svg {...p}><path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01" strokeWidth={3} /></Svg>;
export const IconUp = (p: IconProps) => <Svg {...p}><path d="M6 15l6-6 6 6" /></Svg>;
export const IconDown = (p: IconProps) => <Svg {...p}><path d="M6 9l6 6 6-6" /></Svg>;
export const IconRetry = (p: IconProps) => <Svg {...p}><path d="M4 12a8 8 0 1 0 2.3-5.7M4 4v4h4" /></Svg>;
export const IconStop = (p: IconProps) => <Svg {...p}><rect x="6" y="6" width="12" height="12" rx="1.5" /></Svg>;
export const IconSun = (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="4" /><path d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /></Svg>;
export const IconMoon = (p: IconProps) => <Svg {...p}><path d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" /></Svg>;
export const IconLogout = (p: IconProps) => <Svg {...p}><path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10" /></Svg>;
export const IconPlus = (p: IconProps) => <Svg {...p}><path d="M12 5v14M5 12h14" /></Svg>;
export const IconSearch = (p: IconProps) => <Svg {...p}><circle cx="11" cy="11" r="6.5" /><path d="M20 20l-4.3-4.3" /></Svg>;
export const IconCompass = (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="9" /><path d="M15.5 8.5l-2 5-5 2 2-5z" /></Svg>;
