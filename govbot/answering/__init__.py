"""Turn search results into answers: pick the section a question asks about, cite the source."""
