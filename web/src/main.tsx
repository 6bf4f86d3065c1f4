import "@fontsource/inter/400.css";
import "@fontsource/inter/500.css";
import "@fontsource/inter/600.css";
import "@fontsource/fraunces/600.css";
import "./app/global.css";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { applyStoredTheme } from "./app/theme";

applyStoredTheme();
createRoot(document.getElementById("root")!).render(<App />);
