// The singleton suite with checkpointing off: one step per SDK request, the engine's original mode.
import "./mode";
import "../flow-singleton.test";
