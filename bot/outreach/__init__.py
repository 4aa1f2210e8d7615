"""What outreach teams and offices see: anonymous daily counts, unanswered questions, the report."""
