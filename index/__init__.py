"""Retrieval: jieba tokenisation, BM25 and FAISS dense search, fused, over versioned index snapshots."""
