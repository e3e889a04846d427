"""Where the numbers come from. Each module returns frozen models; none imports Textual."""
