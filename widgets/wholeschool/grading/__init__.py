"""The trainer's tools: nbgrader autograding across processes, rubric feedback, the gradebook
export, the cohort view, and the cells and checks of the reflection assignments."""
