// The lost persist answer suite with checkpointing off: each step's result comes by a persist.
import "./mode";
import "../lost-persist-answer.test";
