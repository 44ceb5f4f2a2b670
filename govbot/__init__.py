"""govbot: a Chinese conversational government-service assistant."""
