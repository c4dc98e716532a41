#pragma once
// The vision-transformer entries of the family table: ViT and DeiT (classifiers), and the image
// towers of CLIP and SigLIP (attention only), each with its checkpoints' names.
#include "model/FamilySpec.h"

namespace attnscope {

FamilySpec vitFamily();
FamilySpec deitFamily();
FamilySpec clipVisionFamily();
FamilySpec clipFamily();
FamilySpec siglipVisionFamily();
FamilySpec siglipFamily();

}  // namespace attnscope
