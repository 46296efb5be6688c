// Identifiers are NFKC-normalized, as CPython does (PEP 3131). The only Foundation use.
import Foundation

func normalizedIdentifier(_ s: String) -> String {
    s.precomposedStringWithCompatibilityMapping
}
