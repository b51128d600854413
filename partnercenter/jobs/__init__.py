"""Background work: the schedule of recurring jobs and the core's housekeeping jobs."""
