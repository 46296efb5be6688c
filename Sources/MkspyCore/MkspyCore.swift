public enum MkspyCore {}
