"""Turn files of other formats into knowledge documents."""
