"""This repository is an nbgrader course directory: masters in source/, releases in release/."""
c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.course_id = "dl-course"
# The gradebook stores hidden tests verbatim: `course release` runs with --no-db and writes none.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
