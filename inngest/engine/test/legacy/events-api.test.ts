// The events-api suite with checkpointing off: one step per SDK request, the engine's original mode.
import "./mode";
import "../events-api.test";
