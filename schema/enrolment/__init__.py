"""GraphQL for the programme's intake: eligibility, enrolment, waitlist, closing."""
