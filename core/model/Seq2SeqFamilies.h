#pragma once
// The encoder-decoder entries of the family table (T5, BART, Marian), kept apart from the
// single-stack families of FamilySpec.cpp: each names two stacks' tensors.
#include "model/FamilySpec.h"

namespace attnscope {

FamilySpec t5Family();
FamilySpec bartFamily();
FamilySpec marianFamily();

}  // namespace attnscope
